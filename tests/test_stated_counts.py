"""Every count a notice states is checked, and a mismatch stops the import until an
admin accepts it (metadata.stated_counts/list_count, columns group rows, importer)."""

import io
import re

import notice_files as nf

from archive.ingest import parse_bytes
from conftest import csrf

META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def test_a_list_headings_count_is_checked_per_list():
    rows = [["序号", "班组名称"]] + [[str(i), t] for i, t in enumerate(nf.TEAMS, start=1)]
    right = parse_bytes(nf.sheet(rows, nf.LIST2 + "（共3个）"), "班组.xlsx", META)
    assert right.mismatches == []
    wrong = parse_bytes(nf.sheet(rows, nf.LIST2 + "（共4个）"), "班组.xlsx", META)
    assert wrong.mismatches == [f"工作表 Sheet：名单“{nf.LIST2}（共4个）”注明共 4 条，实际读到 3 条"]


def test_group_rows_and_the_notices_own_counts_are_mismatches_not_warnings():
    page = nf.commendation_html(word_cells=False).replace("中国移动（2名）".encode(),
                                                          "中国移动（3名）".encode())
    parsed = parse_bytes(page, "通报.html")
    assert len(parsed.mismatches) == 1 and "分组“中国移动”注明 3 个，实际读到 2 条" in \
        parsed.mismatches[0]
    assert parsed.warnings == []
    page = nf.commendation_html().replace("等6名个人".encode(), "等133名个人".encode())
    assert parse_bytes(page, "通报.html").mismatches == ["通知称共 133 名个人，实际读到 6 条"]


def _upload(client, data, name):
    return client.post("/admin/upload", data={
        "csrf_token": csrf(client), "notice": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def test_the_preview_warns_and_confirm_needs_the_tick(logged_in, app):
    page = nf.commendation_html().replace("等6名个人".encode(), "等7名个人".encode())
    body = _upload(logged_in, page, "通报.html").get_data(as_text=True)
    status = re.search(r'<div class="(\w+)" id="status"', body).group(1)
    assert status == "warn" and "数量不符" in body and "通知称共 7 名个人，实际读到 6 条" in body
    assert 'name="accept_counts" value="y" required' in body
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    refused = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    assert refused.status_code == 400 and "请核对后勾选" in refused.get_data(as_text=True)
    assert not [n for n in logged_in.get("/api/notices").get_json() if n["doc_number"]]
    done = logged_in.post(f"/admin/upload/{token}/confirm",
                          data={"csrf_token": csrf(logged_in), "accept_counts": "y"})
    assert done.status_code == 302
    assert [n["entries"] for n in logged_in.get("/api/notices").get_json() if n["doc_number"]] \
        == [9]


def test_a_notice_whose_counts_hold_gets_the_green_box(logged_in, app):
    body = _upload(logged_in, nf.commendation_html(), "通报.html").get_data(as_text=True)
    assert re.search(r'<div class="(\w+)" id="status"', body).group(1) == "flash"
    assert "accept_counts" not in body


def test_a_count_that_names_no_kind_is_read_as_the_notice_means_it():
    from archive.ingest.metadata import check_counts, stated_counts
    people = [{"kind": "individual"}] * 5
    teams = [{"kind": "team"}] * 3
    # 共5名 beside 班组3个: the five are the individuals.
    assert check_counts(stated_counts(["共推荐候选人5名、班组3个"]), people + teams) == ([], [])
    # 共8名 with no team count, in a list with teams: everyone it lists.
    assert check_counts(stated_counts(["现予公示，共8名。"]), people + teams) == ([], [])
    assert check_counts(stated_counts(["现予公示，共5名。"]), people + teams) == ([], [])
    assert check_counts(stated_counts(["现予公示，共5名。"]), people) == ([], [])


def _two_lists_docx(people_count, team_count, people=4, teams=2, preamble=""):
    """A .docx of two lists, each under a numbered heading that states its count."""
    import docx
    document = docx.Document()
    document.add_paragraph(nf.TITLE)
    if preamble:
        document.add_paragraph(preamble)
    document.add_paragraph(f"一、全国用户满意电信服务明星候选人（{people_count}名）")
    table = document.add_table(rows=people + 1, cols=3)
    for c, text in enumerate(("序号", "姓名", "工作单位")):
        table.cell(0, c).text = text
    for r in range(1, people + 1):
        table.cell(r, 0).text, table.cell(r, 1).text = str(r), f"测试{'甲乙丙丁戊己'[r - 1]}"
        table.cell(r, 2).text = "中国电信股份有限公司九江分公司"
    document.add_paragraph(f"二、全国用户满意电信服务明星班组候选人（{team_count}个）")
    table = document.add_table(rows=teams + 1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "班组名称"
    for r in range(1, teams + 1):
        table.cell(r, 0).text = str(r)
        table.cell(r, 1).text = f"中国移动通信集团浙江有限公司杭州分公司第{r}装维班"
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_a_headings_count_belongs_to_the_list_right_below_it_not_the_next():
    parsed = parse_bytes(_two_lists_docx(4, 2), "名单.docx", META)
    assert [e["kind"] for e in parsed.entries] == ["individual"] * 4 + ["team"] * 2
    assert parsed.mismatches == []
    assert not [w for w in parsed.warnings if "注明" in w]


def test_a_headings_wrong_count_right_above_its_list_is_a_mismatch():
    parsed = parse_bytes(_two_lists_docx(5, 2), "名单.docx", META)
    assert len(parsed.mismatches) == 1 and "注明共 5 条，实际读到 4 条" in parsed.mismatches[0]


def test_a_count_in_ming_is_compared_with_the_individuals_only():
    parsed = parse_bytes(_two_lists_docx(4, 2, preamble="经评审，共推荐候选人4名。"),
                         "名单.docx", META)
    assert parsed.mismatches == []


def test_a_notice_count_the_reader_cannot_attach_warns_and_never_refuses():
    from archive.ingest.metadata import check_counts, stated_counts
    people = [{"kind": "individual"}] * 5
    teams = [{"kind": "team"}] * 3
    # 共7名 with five individuals and three teams: neither the people nor everyone.
    mismatches, warnings = check_counts(stated_counts(["现予公示，共7名。"]), people + teams)
    assert mismatches == [] and len(warnings) == 1 and "共 7 名" in warnings[0]
    # A count with its kind (等6名个人) is certain: a mismatch.
    mismatches, warnings = check_counts(stated_counts(["授予张三等6名个人称号"]), people + teams)
    assert mismatches == ["通知称共 6 名个人，实际读到 5 条"] and warnings == []
