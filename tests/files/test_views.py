"""Papers and resources through the pages: a leader attaches a paper to an agenda item and
the members download it while others get 403; types, sizes, names, versions, the bin, the
agenda, its email and the pages' query counts."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from flask import render_template
from sqlalchemy import func, select

from eip_site.clock import utcnow
from eip_site.extensions import db
from eip_site.files.models import Attachment, AttachmentVersion
from eip_site.files.storage import storage
from eip_site.networks import agenda, meetings
from eip_site.networks.models import AgendaItem, Meeting

from ..helpers import page_queries, sign_in
from .samples import GOOD, PDF, PNG


def post_file(client, url, data=PDF, name="paper.pdf", **fields):
    return client.post(url, data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def first_item(world) -> int:
    return next(i for i in world["items"])


def published(app, world) -> dict:
    """The world's meeting with its agenda published and an item of its own."""
    with app.app_context():
        leader, meeting = world.get("leader"), world.get("meeting")
        item = agenda.add_item(actor=leader, meeting=meeting, title="Year 6 projects")
        meetings.publish_agenda(actor=leader, meeting=meeting)
        db.session.commit()
        return {"item": item.id, "meeting": meeting.id}


def files(app) -> list[Attachment]:
    with app.app_context():
        return db.session.scalars(select(Attachment).order_by(Attachment.id)).all()


def test_a_leader_attaches_a_paper_the_members_download_it_a_non_member_gets_403(
        app, client, world):
    ids = published(app, world)
    sign_in(client, world["leader"])
    url = f"/files/item/{ids['item']}/new"
    assert client.get(url).status_code == 200
    answer = post_file(client, url, title="Project brief")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/meetings/{ids['meeting']}#item-{ids['item']}")
    (paper,) = files(app)
    assert (paper.item_id, paper.title, paper.filename, paper.size) == (
        ids["item"], "Project brief", "paper.pdf", len(PDF))

    sign_in(client, world["member"])
    page = client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert f'href="/files/{paper.id}"' in page and "Project brief" in page
    download = client.get(f"/files/{paper.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=paper.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "Add a paper" not in page  # a member who did not propose the item

    sign_in(client, world["outsider"])
    refused = client.get(f"/files/{paper.id}")
    assert refused.status_code == 403 and PDF not in refused.data
    assert "for its members" in refused.get_data(as_text=True)
    assert post_file(client, url).status_code == 403
    assert len(files(app)) == 1
    assert app.test_client().get(f"/files/{paper.id}").status_code == 303  # to sign in


def test_the_bytes_are_kept_outside_the_web_root_under_a_random_name(app, client, world):
    ids = published(app, world)
    sign_in(client, world["leader"])
    post_file(client, f"/files/item/{ids['item']}/new", name="../../etc/passwd.pdf")
    (paper,) = files(app)
    assert paper.filename == "passwd.pdf" and "passwd" not in paper.storage_key
    with app.app_context():
        root = storage().root
        assert (root / paper.storage_key).read_bytes() == PDF
    assert "static" not in str(root)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_allowed_kind_uploads_and_is_served_as_its_type(app, client, world, name):
    data, served_as = GOOD[name]
    sign_in(client, world["leader"])
    assert post_file(client, f"/files/network/{world['network']}/new", data, name) \
        .status_code == 303
    (paper,) = files(app)
    assert client.get(f"/files/{paper.id}").headers["Content-Type"].split(";")[0] == served_as


@pytest.mark.parametrize("data, name, words", [
    (PNG, "paper.pdf", "its content is not that kind of file"),
    (b"<html><script>alert(1)</script></html>", "page.html", "is not that kind of file"),
    (b"MZ\x90\x00" + bytes(range(32)), "setup.exe", "The file must be PDF"),
    (b"", "empty.pdf", "The file is empty"),
])
def test_a_file_of_the_wrong_kind_is_refused_beside_the_field_with_422(
        app, client, world, data, name, words):
    sign_in(client, world["leader"])
    answer = post_file(client, f"/files/network/{world['network']}/new", data, name)
    assert answer.status_code == 422
    body = unescape(answer.get_data(as_text=True))
    assert words in body and 'id="file-error"' in body and 'aria-describedby="file-hint file-error"' in body
    assert "<title>Error: Add a file" in body
    assert files(app) == []


def test_no_file_chosen_is_a_clear_message(app, client, world):
    sign_in(client, world["leader"])
    answer = client.post(f"/files/network/{world['network']}/new", data={"title": "x"},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "Choose a file to upload." in answer.get_data(as_text=True)


def test_the_size_limit_refuses_a_large_file_with_413(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    sign_in(client, world["leader"])
    url = f"/files/network/{world['network']}/new"
    # Within the request's allowance (the limit + 1 MB) but over the file limit: beside the field.
    over = post_file(client, url, PDF + b"x" * (1024 * 1024), "big.pdf")
    assert over.status_code == 413
    assert "larger than 1 MB" in unescape(over.get_data(as_text=True))
    assert 'id="file-error"' in over.get_data(as_text=True)
    # A body declared larger than the allowance: refused from its Content-Length.
    huge = post_file(client, url, PDF + b"x" * (3 * 1024 * 1024), "huge.pdf")
    assert huge.status_code == 413 and "larger than 1 MB" in unescape(huge.get_data(as_text=True))
    # Just under: kept. And a 7 MB file passes the site's other request limit (6 MB).
    assert post_file(client, url, PDF + b"x" * (1024 * 1024 - len(PDF)), "ok.pdf").status_code == 303
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 20)
    assert post_file(client, url, PDF + b"x" * (7 * 1024 * 1024), "seven.pdf").status_code == 303
    assert [f.filename for f in files(app)] == ["ok.pdf", "seven.pdf"]


def test_other_requests_keep_the_sites_request_limit(app, client, world):
    sign_in(client, world["leader"])
    big = client.post(f"/meetings/{world['meeting']}/items",
                      data={"title": "x", "notes": "x" * (7 * 1024 * 1024)})
    assert big.status_code == 413


@pytest.mark.parametrize("name, header", [
    ("r\u00e9sum\u00e9 \U0001F600.pdf",
     "attachment; filename=\"resume .pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%F0%9F%98%80.pdf"),
    ("tab\tand\x7fdel.pdf", "attachment; filename=tabanddel.pdf"),
    ("<script>x</script>.pdf", 'attachment; filename="script>.pdf"'),
])
def test_hostile_and_non_ascii_names_download_safely(app, client, world, name, header):
    sign_in(client, world["leader"])
    assert post_file(client, f"/files/network/{world['network']}/new", name=name).status_code == 303
    (paper,) = files(app)
    assert client.get(f"/files/{paper.id}").headers["Content-Disposition"] == header
    page = client.get(f"/networks/{world['network']}").get_data(as_text=True)
    assert "<script>x" not in page


def test_a_name_with_line_breaks_cannot_start_a_header(app, ctx, world):
    # A browser escapes CR/LF in a part's filename; one that arrives raw is dropped.
    from werkzeug.datastructures import FileStorage

    from eip_site.files import services

    paper = services.upload(actor=world.get("leader"), kind="network", parent=world.get("network"),
                            upload=FileStorage(io.BytesIO(PDF), "line\r\nSet-Cookie: x.pdf"))
    assert paper.filename == "lineSet-Cookie: x.pdf"


def test_a_ten_thousand_character_name_is_kept_short(app, client, world):
    sign_in(client, world["leader"])
    post_file(client, f"/files/network/{world['network']}/new", name="a" * 10_000 + ".pdf")
    (paper,) = files(app)
    assert len(paper.filename) == 200 and paper.filename.endswith(".pdf")


def test_replacing_keeps_the_earlier_versions_listed_and_downloadable(app, client, world):
    sign_in(client, world["leader"])
    post_file(client, f"/files/network/{world['network']}/new", PDF, "guide.pdf", title="Guide")
    (paper,) = files(app)
    second = PDF + b"version two"
    answer = post_file(client, f"/files/{paper.id}/replace", second, "guide-v2.pdf")
    assert answer.status_code == 303
    page = client.get(f"/files/{paper.id}/about").get_data(as_text=True)
    assert "guide-v2.pdf" in page and "guide.pdf" in page and "2 (current)" in page
    assert client.get(f"/files/{paper.id}").data == second
    assert client.get(f"/files/{paper.id}/versions/1").data == PDF
    assert client.get(f"/files/{paper.id}/versions/2").data == second
    assert client.get(f"/files/{paper.id}/versions/3").status_code == 404
    assert post_file(client, f"/files/{paper.id}/replace", PNG, "x.pdf").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttachmentVersion)) == 1
    sign_in(client, world["member"])  # reads every version, changes none
    assert client.get(f"/files/{paper.id}/versions/1").status_code == 200
    assert post_file(client, f"/files/{paper.id}/replace").status_code == 403
    assert "Upload a new version" not in client.get(f"/files/{paper.id}/about").get_data(as_text=True)


def test_deleting_asks_first_and_can_be_undone_then_is_purged_after_30_days(app, client, world):
    sign_in(client, world["leader"])
    network_url = f"/networks/{world['network']}"
    post_file(client, f"/files/network/{world['network']}/new", title="Booklet")
    (paper,) = files(app)
    ask = client.get(f"/files/{paper.id}/delete")
    assert ask.status_code == 200 and "Delete Booklet?" in ask.get_data(as_text=True)
    assert files(app)[0].deleted_at is None
    done = client.post(f"/files/{paper.id}/delete")
    assert done.status_code == 303
    assert client.get(f"/files/{paper.id}").status_code == 404
    page = client.get(network_url).get_data(as_text=True)
    assert "Deleted: Booklet" in page and f"/files/{paper.id}/restore" in page
    sign_in(client, world["member"])
    assert "Deleted: Booklet" not in client.get(network_url).get_data(as_text=True)
    assert client.post(f"/files/{paper.id}/restore").status_code == 403
    sign_in(client, world["leader"])
    assert client.post(f"/files/{paper.id}/restore").status_code == 303
    assert client.get(f"/files/{paper.id}").status_code == 200

    client.post(f"/files/{paper.id}/delete")
    with app.app_context():
        row = db.session.get(Attachment, paper.id)
        row.deleted_at = utcnow() - timedelta(days=31)
        db.session.commit()
        key = row.storage_key
    assert client.post(f"/files/{paper.id}/restore").status_code == 422
    post_file(client, f"/files/network/{world['network']}/new", title="Other")
    other = files(app)[-1]
    client.post(f"/files/{other.id}/delete")  # a delete purges those past their undo
    assert [f.id for f in files(app)] == [other.id]
    with app.app_context():
        assert not (storage().root / key).exists()


def test_the_agenda_and_its_email_list_each_items_papers(app, client, world):
    sign_in(client, world["leader"])
    item = first_item(world)
    post_file(client, f"/files/item/{item}/new", title="Welcome pack")
    post_file(client, f"/files/meeting/{world['meeting']}/new", title="Timetable")
    page = client.get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    row = page.split(f'id="item-{item}"')[1].split("</tr>")[0]
    assert "Welcome pack" in row and "Add a paper" in row
    assert 'id="papers"' in page and "Timetable" in page
    with app.test_request_context():
        meeting = db.session.get(Meeting, world["meeting"])
        first = db.session.get(AgendaItem, item)
        body = render_template("networks/email_agenda.txt", meeting=meeting,
                               person=world.get("member"), start=meeting.starts_at, link="L")
    papers = files(app)
    assert "Papers:" in body and "The meeting:" in body and f"{first.title}:" in body
    assert f"- Welcome pack (paper.pdf): http://localhost/files/{papers[0].id}" in body
    assert f"- Timetable (paper.pdf): http://localhost/files/{papers[1].id}" in body


def test_a_member_attaches_papers_to_the_item_they_proposed_only(app, client, world):
    sign_in(client, world["member"])
    client.post(f"/meetings/{world['meeting']}/items", data={
        "title": "Reading buddies", "kind": "discussion", "duration": "10"})
    with app.app_context():
        mine = db.session.scalar(select(AgendaItem.id).where(AgendaItem.title == "Reading buddies"))
    assert post_file(client, f"/files/item/{mine}/new").status_code == 303
    assert post_file(client, f"/files/item/{first_item(world)}/new").status_code == 403
    assert post_file(client, f"/files/meeting/{world['meeting']}/new").status_code == 403
    page = client.get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    assert page.count("Add a paper") == 1


def test_a_meeting_and_network_page_run_the_same_queries_with_more_files(app, client, world):
    sign_in(client, world["leader"])
    meeting_url, network_url = f"/meetings/{world['meeting']}", f"/networks/{world['network']}"
    post_file(client, f"/files/item/{first_item(world)}/new")
    post_file(client, f"/files/network/{world['network']}/new")
    page_queries(app, client, meeting_url)
    few = [page_queries(app, client, u) for u in (meeting_url, network_url)]
    few.append(page_queries(app, client, meeting_url, htmx=True))
    for item in world["items"]:
        for _ in range(3):
            post_file(client, f"/files/item/{item}/new")
    for _ in range(5):
        post_file(client, f"/files/network/{world['network']}/new")
        post_file(client, f"/files/meeting/{world['meeting']}/new")
    client.post(f"/files/{files(app)[-1].id}/delete")
    more = [page_queries(app, client, u) for u in (meeting_url, network_url)]
    more.append(page_queries(app, client, meeting_url, htmx=True))
    assert more == few


def test_the_host_head_shares_data_with_the_team_on_the_review_page(app, client, world):
    with app.app_context():
        from .. import factories

        review = factories.review(host=world["host"], team=(world.get("reviewers")[0],),
                                  state="confirmed")
        db.session.commit()
        review_id = review.id
    sign_in(client, world["head"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert 'id="documents"' in page and "Share them here, then mark data as shared" in page
    assert post_file(client, f"/files/review/{review_id}/new", GOOD["sums.xlsx"][0], "sums.xlsx",
                     title="Attainment data").status_code == 303
    (shared,) = files(app)
    sign_in(client, world["reviewers"][0])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Attainment data" in page and "Share a document" not in page
    assert client.get(f"/files/{shared.id}").status_code == 200
    sign_in(client, world["teacher"])  # not on the team
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert 'id="documents"' not in page and "Attainment data" not in page
    assert client.get(f"/files/{shared.id}").status_code == 403


def test_an_upload_sent_twice_is_saved_once(app, client, world):
    from ..test_form_tokens import token_in

    sign_in(client, world["leader"])
    url = f"/files/network/{world['network']}/new"
    token = token_in(client.get(url).get_data(as_text=True), url)
    first = post_file(client, url, form_token=token)
    again = post_file(client, url, form_token=token)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(files(app)) == 1
