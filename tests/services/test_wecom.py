"""The WeCom group robot: which pasted webhook URLs are taken, the Markdown body and its
size limit."""

import pytest

from models.org import Community
from services import org, wecom
from services.errors import BoardError

GOOD = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.mark.parametrize("pasted", [GOOD, f"  {GOOD}\n", GOOD + "&debug=1"])
def test_the_robots_own_address_is_taken(pasted):
    assert wecom.webhook_valid(pasted) == pasted.strip()


def test_an_empty_address_sends_nothing():
    assert wecom.webhook_valid("   ") == ""


@pytest.mark.parametrize(
    "pasted",
    [
        GOOD.replace("https://", "http://"),  # not https
        GOOD.replace("qyapi.weixin.qq.com", "qyapi.weixin.qq.com.evil.cn"),
        GOOD.replace("qyapi.weixin.qq.com", "127.0.0.1"),
        GOOD.replace("qyapi.weixin.qq.com", "qyapi.weixin.qq.com:8443"),
        GOOD.replace("https://", "https://user@"),
        GOOD.replace("/cgi-bin/webhook/send", "/cgi-bin/other"),
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",  # no key
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
        "群机器人",
    ],
)
def test_any_other_address_is_refused(pasted):
    with pytest.raises(BoardError) as err:
        wecom.webhook_valid(pasted)
    assert err.value.key == "messages.webhook_invalid"


def test_the_body_is_markdown_in_chinese_within_4096_bytes():
    params = {"title": "探访" * 3000, "when": "2026-12-08 09:00–11:00", "place": "活动室"}
    body = wecom.markdown_body("task_cancelled", params)
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("### 任务取消")
    assert len(content.encode("utf-8")) <= wecom.MAX_CONTENT_BYTES
    short = wecom.markdown_body("event_cancelled", params | {"title": "非遗烧卖体验"})
    assert "非遗烧卖体验" in short["markdown"]["content"]
    assert "活动室" in short["markdown"]["content"]


def test_no_answer_is_a_send_error():
    with pytest.raises(wecom.SendError):
        wecom.post("http://127.0.0.1:9/cgi-bin/webhook/send?key=x", {"msgtype": "markdown"}, 2)


def test_the_community_keeps_only_a_checked_webhook(session, w):
    org.community_set_webhook(session=session, actor=w.shuji, community_id=w.community_id, url=GOOD)
    session.commit()
    with pytest.raises(BoardError):
        org.community_set_webhook(
            session=session, actor=w.shuji, community_id=w.community_id, url="http://evil.cn/x"
        )
    session.rollback()
    assert session.get(Community, w.community_id).wecom_webhook == GOOD
    org.community_set_webhook(session=session, actor=w.admin, community_id=w.community_id, url=" ")
    session.commit()
    assert session.get(Community, w.community_id).wecom_webhook == ""
