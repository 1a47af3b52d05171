"""A volunteer on a phone issues and downloads their certificate of volunteer service;
the number printed on it checks as valid on the public check page, signed out."""

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import Session, select

from models.base import utcnow
from models.certificates import ServiceCertificate
from models.volunteers import (
    HoursStatus,
    Signup,
    SignupStatus,
    Task,
    TaskKind,
    TaskStatus,
    Volunteer,
)
from services import db, org
from tests.browser.conftest import PHONE, download, press, sign_in, wait_idle
from tests.browser.test_signup_journey import actor_named, new_volunteer


def served_last_week(database_url: str, volunteer_id: int, title: str) -> None:
    """A done task of 四千米社区 eight days ago on which the volunteer gave 2.5 hours,
    approved by shuji; and the community's person in charge and office phone set."""
    shuji = actor_named(database_url, "shuji")
    engine = db.make_engine(database_url)
    starts = utcnow() - timedelta(days=8)
    with db.transaction(engine) as s:
        task = Task(
            title=title,
            kind=TaskKind.elder_visit,
            community_id=shuji.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=2,
            taken=1,
            status=TaskStatus.done,
        )
        s.add(task)
        s.flush()
        s.add(
            Signup(
                task_id=task.id,
                volunteer_id=volunteer_id,
                status=SignupStatus.attended,
                hours=2.5,
                hours_status=HoursStatus.approved,
                approved_by=shuji.id,
                approved_at=starts + timedelta(days=1),
            )
        )
        org.community_set_contact(
            session=s,
            actor=shuji,
            community_id=shuji.community_id,
            person_in_charge="王建国",
            office_phone="0471-6951234",
        )
    engine.dispose()


def test_a_volunteer_issues_their_certificate_on_a_phone_and_it_checks(server, browser, output_dir):
    person = new_volunteer(server.database_url, "zhengming", "郑明", "13700001401")
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        vid = s.exec(select(Volunteer.id).where(Volunteer.account_id == person.id)).one()
    engine.dispose()
    served_last_week(server.database_url, vid, "浏览器测试：为独居老人送餐")

    phone = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, accept_downloads=True
    )
    page = phone.new_page()
    sign_in(page, server, "zhengming")
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.get_by_text("开具服务证明").first.click()
    page.wait_for_selector("text=1 次服务，累计 2.5 小时", timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-preview.png"), full_page=True)
    press(page, page.locator(f".st-key-my_cert_issue_{vid} button"))
    page.wait_for_selector("text=已开具证明", timeout=20000)

    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        cert = s.exec(
            select(ServiceCertificate).where(ServiceCertificate.volunteer_id == vid)
        ).one()
    engine.dispose()
    assert re.fullmatch(r"ZYZM-\d{4}-\d{6}", cert.number)
    assert (cert.service_count, cert.total_hours, cert.issued_by) == (1, 2.5, person.id)
    page.screenshot(path=str(output_dir / "2-phone-issued.png"), full_page=True)
    pdf_file = download(page, page.locator(f".st-key-my_pdf_{cert.id} button"))
    assert pdf_file.suggested_filename.endswith(".pdf")
    assert " " not in pdf_file.suggested_filename
    pdf = PdfReader(io.BytesIO(pdf_file.path().read_bytes()))
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in pdf.pages))
    for expected in ("志愿服务记录证明", "郑明", cert.number, "浏览器测试：为独居老人送餐", "2.5"):
        assert expected in text, expected
    phone.close()

    anyone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = anyone.new_page()
    page.goto(f"{server}/certificate_check?no={cert.number}")
    wait_idle(page)
    page.wait_for_selector("text=证明有效", timeout=20000)
    number_box = page.locator(".st-key-certcheck_no input")
    number_box.wait_for(timeout=20000)
    assert number_box.input_value() == cert.number  # the link's number, in the box
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "郑*" in body and "郑明" not in body and "2.5 小时" in body
    page.screenshot(path=str(output_dir / "3-check-valid.png"), full_page=True)
    anyone.close()
