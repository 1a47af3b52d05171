"""A photo from the grid worker's phone, seen through the case's link: wangge reports a
broken lamp with a photo taken on the phone; the secretary, signing in from the link
posted in the WeChat group, lands on the case and sees the photo, small and then in
full; another community's secretary following the same link is told why not."""

import io
import re

from PIL import Image
from sqlmodel import Session, select

from models.cases import Case, CasePhoto
from services import db
from tests.browser.conftest import DESKTOP, PHONE, press, sign_in, wait_idle

LAMP = "6号楼单元门口路灯杆被撞歪，灯罩掉落"


def phone_photo() -> bytes:
    """A 2000 x 1500 photo lying on its side (EXIF orientation 6), as phones save them."""
    image = Image.new("RGB", (2000, 1500), (40, 60, 90))
    image.paste((230, 180, 40), (0, 0, 1000, 1500))  # upright: the yellow half on top
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def _latest(database_url: str) -> tuple[Case, list[CasePhoto]]:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        case = s.exec(select(Case).order_by(Case.id.desc())).first()
        photos = list(s.exec(select(CasePhoto).where(CasePhoto.case_id == case.id)).all())
    engine.dispose()
    return case, photos


def _sign_in_at(page, link: str, username: str) -> None:
    """Opens `link` signed out, signs in on the form it shows, and lands back on it."""
    page.goto(link)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    # back on the link (whose query a refused link then drops)
    page.wait_for_url(re.compile(r"/cases(\?case=\d+)?$"), timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)
    wait_idle(page)


def test_a_photo_from_the_phone_seen_through_the_cases_link(server, browser, output_dir):
    # 1. the grid worker reports with a photo taken on the phone
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    worker = phone.new_page()
    sign_in(worker, server, "wangge")
    worker.goto(f"{server}/cases")
    worker.wait_for_selector("h1:has-text('居民诉求')")
    wait_idle(worker)
    worker.get_by_label("诉求内容").fill(LAMP)
    worker.locator(".st-key-cases_in_photos_0 input[type='file']").set_input_files(
        {"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}
    )
    worker.get_by_text("IMG_0412.jpg").wait_for()
    worker.screenshot(path=str(output_dir / "1-intake-with-photo.png"), full_page=True)
    press(worker, worker.get_by_role("button", name="上报"))
    case, photos = _latest(server.database_url)
    worker.get_by_text(f"已上报，工单编号 {case.number}").wait_for()
    assert case.description == LAMP
    assert [(p.stage, p.width, p.height) for p in photos] == [("report", 960, 1280)]
    worker.screenshot(path=str(output_dir / "2-reported.png"), full_page=True)
    phone.close()

    # 2. the secretary follows the link from the WeChat group
    link = f"{server}/cases?case={case.id}"
    office_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    office = office_context.new_page()
    _sign_in_at(office, link, "shuji")
    card = office.locator(f".st-key-case_card_{case.id}")
    card.wait_for()
    assert case.number in card.inner_text()
    assert link.replace(server, "") in office.locator("[data-testid='stCode']").inner_text()
    thumb = office.locator("[data-testid='stImage'] img").first
    thumb.wait_for()
    # loaded, and small: the thumbnail, not the photo
    assert 0 < office.evaluate("img => img.naturalWidth", thumb.element_handle()) <= 320
    card.screenshot(path=str(output_dir / "3-linked-case.png"))
    press(office, office.locator(f".st-key-case_photo_open_{photos[0].id} button"))
    full = office.locator(f".st-key-case_photo_full_{photos[0].id} img")
    full.wait_for()
    # the upright 960 x 1280 photo, as large as the screen shows whole: 540 x 720
    size = office.evaluate("img => [img.naturalWidth, img.naturalHeight]", full.element_handle())
    assert size == [540, 720]
    full.scroll_into_view_if_needed()
    office.screenshot(path=str(output_dir / "4-photo-in-full.png"))
    office_context.close()

    # 3. another community's secretary is told why, and sees only their own lists
    other_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    other = other_context.new_page()
    _sign_in_at(other, link, "qianjin")
    other.get_by_text("这件工单属于其他社区，您无法查看。").wait_for()
    assert other.get_by_text(LAMP).count() == 0
    assert other.locator("[data-testid='stImage']").count() == 0
    other.screenshot(path=str(output_dir / "5-another-community.png"), full_page=True)
    other_context.close()
