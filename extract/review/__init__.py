"""``cli.py review``: a local web application to check and correct what a batch stored.

Flask, server-rendered HTML with one small script, every asset served by the application
itself (nothing is fetched from the internet). The list of documents (``/``); a document's
pages (``/documents/<id>``): the scan beside its repaired text line for line, doubtful words
marked, a word's OCR reading and candidates on a click, with a form to correct it, and the
document's figures, each showing its box on the scan when selected and editable; the bloc's
figures over the years (``/bloc``), as a table and an SVG chart drawn here.

What the browser sends is never trusted: ids are integers looked up in the database, no
path comes from a request (page images are rendered from the file the database names, when
its sha256 still matches), corrections go through ``extract.reviewing`` into their own
table, forms carry a per-process token, and requests for another host name are refused (a
web page elsewhere cannot drive it). It listens on 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import argparse
import secrets
import sys

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from extract.review.chart import line_chart
from extract.review.scans import Scans
from extract.reviewing import SORTS, Review, ReviewError
from extract.store import Store

MAX_FORM_BYTES = 16 * 1024


def create_app(db: str, host: str = "127.0.0.1", scans: Scans | None = None) -> Flask:
    """The review application over the bloc database ``db`` (which must exist), answering
    only requests addressed to ``host`` (or localhost) at the port it listens on."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_FORM_BYTES, SECRET_KEY=secrets.token_hex(16))
    store = Store(db, create=False)
    review = Review(store)
    scans = scans or Scans()
    token = secrets.token_urlsafe(24)
    names = {host, "127.0.0.1", "localhost"}

    @app.before_request
    def guard() -> None:
        """Refuse other host names (DNS rebinding) and forms without our token (CSRF)."""
        name, _, port = request.host.rpartition(":") if ":" in request.host else \
            (request.host, "", "80")
        if name not in names or port != request.environ.get("SERVER_PORT"):
            abort(400, "this application answers only on its own address")
        if request.method == "POST" and not secrets.compare_digest(
                request.form.get("token", ""), token):
            abort(403, "the form is stale or did not come from this application; reload the page")

    @app.errorhandler(HTTPException)
    def error(err: HTTPException) -> tuple[str, int]:
        return render_template("error.html", code=err.code, name=err.name,
                               message=err.description), err.code or 500

    @app.errorhandler(Exception)
    def failure(err: Exception) -> tuple[str, int]:  # never a traceback in the browser
        print(f"review: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return render_template("error.html", code=500, name="Internal error",
                               message="something went wrong; see the terminal"), 500

    @app.get("/")
    def documents() -> str:
        query = request.args.get("q", "")[:200]
        sort = request.args.get("sort", "path")
        descending = request.args.get("desc") == "1"
        return render_template("list.html", rows=review.documents(query, sort, descending),
                               q=query, sort=sort if sort in SORTS else "path",
                               desc=descending, sorts=SORTS)

    @app.get("/documents/<int:doc_id>")
    def document(doc_id: int) -> str:
        doc = review.document(doc_id)
        if doc is None:
            abort(404, f"no document {doc_id} in this database")
        source = review.source(doc_id)
        scanned = bool(source and source[1] != "text" and scans.available(source[0], source[2]))
        return render_template("document.html", doc=doc, scanned=scanned, token=token,
                               moved=bool(source) and source[1] != "text" and not scanned,
                               message=request.args.get("message", "")[:200])

    @app.get("/documents/<int:doc_id>/pages/<int:page>.png")
    def page_image(doc_id: int, page: int) -> Response:
        source = review.source(doc_id)
        data = scans.page_png(source[0], source[1], source[2], page) if source else None
        if data is None:
            abort(404, "no image of this page: the file has moved or changed since it was "
                       "batched, or it has no such page")
        return Response(data, mimetype="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})

    def _ints(*names: str) -> list[int]:
        try:
            return [int(request.form[name]) for name in names]
        except (KeyError, ValueError):
            abort(400, f"the form must give {', '.join(names)} as whole numbers")

    @app.post("/documents/<int:doc_id>/words")
    def correct_word(doc_id: int) -> Response:
        page, line, position = _ints("page", "line", "position")
        try:
            review.correct_word(doc_id, page, line, position, request.form.get("text", ""))
        except ReviewError as err:
            abort(400, str(err))
        return redirect(url_for("document", doc_id=doc_id, message="word corrected",
                                _anchor=f"p{page}-l{line}"), 303)

    @app.post("/documents/<int:doc_id>/figures")
    def correct_figure(doc_id: int) -> Response:
        page, line, start = _ints("page", "line", "word_start")
        changed = [name for name in ("value", "measure")
                   if request.form.get(name, "").strip() != request.form.get(f"was_{name}", "")]
        try:
            for name in changed:
                review.correct_figure(doc_id, page, line, start, name, request.form[name])
        except ReviewError as err:
            abort(400, str(err))
        return redirect(url_for("document", doc_id=doc_id,
                                message="figure corrected" if changed else "nothing changed",
                                _anchor="figures"), 303)

    @app.get("/bloc")
    def bloc() -> str:
        measures = review.measures()
        measure = request.args.get("measure") or (measures[0][0] if measures else "")
        years, table = review.over_years(measure)
        return render_template("bloc.html", measures=measures, measure=measure, years=years,
                               table=table, chart=line_chart(years, table, measure))

    app.jinja_env.globals["box_style"] = page_box_style
    app.extensions["vn_store"] = store
    return app


def run_review(args: argparse.Namespace) -> int:
    """``cli.py review``: serve the application until Ctrl-C."""
    from werkzeug.serving import make_server

    app = create_app(args.db, args.host)
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"review: http://{args.host}:{server.server_port}/ (the bloc database "
          f"{args.db}); Ctrl-C stops it", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        app.extensions["vn_store"].close()
    return 0


def page_box_style(box: tuple[int, int, int, int] | None, width: int | None,
                   height: int | None) -> str:
    """CSS placing a box (page pixels) over the page image, in percent of its size."""
    if not box or not width or not height:
        return ""
    left, top, w, h = box
    return (f"left:{100 * left / width:.3f}%;top:{100 * top / height:.3f}%;"
            f"width:{100 * w / width:.3f}%;height:{100 * h / height:.3f}%")

