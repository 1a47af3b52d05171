"""Demo step: cultural events drawn from the communities' real programme, with
registrations of residents and tourists, and attendance for the events already held."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from models.base import LOCAL_TZ
from models.events import Event, Registration
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.registrations import CODE_ALPHABET

PROGRAMME = [
    (
        "齐包非遗烧卖制作体验",
        "heritage",
        "社区党群服务中心",
        "齐包烧卖非遗传承人",
        "跟着传承人学包烧卖，品尝自己做的烧卖",
    ),
    (
        "参观归化展馆·五谷绘团结",
        "visit",
        "归化城展馆",
        "归化展馆",
        "参观五谷粘贴画作品，了解各民族交往交流交融的故事",
    ),
    (
        "走进皮画：民族皮雕手工课",
        "heritage",
        "社区活动室",
        "皮画工作室",
        "学习皮雕基本技法，完成一件小作品",
    ),
    ("马头琴欣赏会", "arts", "社区文化广场", "马头琴艺术团", "马头琴演奏和蒙古族长调欣赏"),
    (
        "防范电信诈骗讲座",
        "talk",
        "社区党群服务中心",
        "派出所社区民警",
        "常见骗局和防范方法，现场答疑",
    ),
    (
        "老年人智能手机课堂",
        "talk",
        "社区活动室",
        "青年志愿服务队",
        "教老人用手机挂号、视频通话和扫码",
    ),
    ("重阳节敬老文艺汇演", "arts", "社区文化广场", "老党员先锋队", "居民自编自演的歌舞和快板"),
    ("义诊和健康咨询", "charity", "社区卫生服务站", "社区卫生服务中心", "量血压、测血糖、健康咨询"),
]


def seed(ctx: DemoContext) -> None:
    rng, size, today = ctx.rng, ctx.size, ctx.today
    phones = Phones(rng)
    communities = list(ctx.ids["community_ids"].values())
    first_day = today - timedelta(days=365 * size.years)
    span = (today - first_day).days + 45
    events, registrations, reg_id = [], [], 0
    codes: set[str] = set()
    now = datetime.combine(today, time(8, 0), LOCAL_TZ).astimezone(UTC)  # registered before today
    for eid in range(1, size.events + 1):
        title, category, venue, partner, description = rng.choice(PROGRAMME)
        cid = communities[0] if eid <= 4 else rng.choice(communities)
        day = (
            today + timedelta(days=eid * 3)
            if eid <= 4
            else first_day + timedelta(days=rng.randrange(span))
        )
        starts = datetime.combine(
            day, rng.choice((time(9, 30), time(14, 30), time(19, 0))), LOCAL_TZ
        ).astimezone(UTC)
        capacity = rng.choice((20, 30, 40, 60, 100))
        past = day < today
        status = (
            ("done" if rng.random() > 0.04 else "cancelled")
            if past
            else ("published" if rng.random() > 0.15 or eid <= 4 else "draft")
        )
        taken = 0
        if status != "draft":
            target = int(capacity * rng.uniform(0.5, 1.15))
            people = 0
            while people < target:
                party = rng.choices((1, 2, 3, 4), (50, 30, 12, 8))[0]
                people += party
                reg_id += 1
                fits = taken + party <= capacity
                taken += party if fits else 0
                reg_status = (
                    "cancelled"
                    if status == "cancelled"
                    else ("confirmed" if fits else "waitlisted")
                )
                attended = past and reg_status == "confirmed" and rng.random() < 0.85
                code = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
                while code in codes:
                    code = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
                codes.add(code)
                registrations.append(
                    {
                        "id": reg_id,
                        "event_id": eid,
                        "name": person_name(rng),
                        "phone": phones.next(),
                        "party_size": party,
                        "visitor": rng.random() < (0.35 if category == "visit" else 0.1),
                        "status": reg_status,
                        "code": code,
                        "attended": attended,
                        "checked_in_at": starts + timedelta(minutes=rng.randrange(-20, 15))
                        if attended
                        else None,
                        "created_at": min(starts, now)
                        - timedelta(days=rng.randrange(1, 14), minutes=rng.randrange(1000)),
                    }
                )
            if status == "cancelled":
                taken = 0
        events.append(
            {
                "id": eid,
                "title": title,
                "category": category,
                "community_id": cid,
                "venue": venue,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "capacity": capacity,
                "taken": taken,
                "organiser": "社区党委",
                "partner": partner,
                "description": description,
                "status": status,
                "waitlist": True,
                "volunteers_needed": 0,
                "summary": "活动顺利举办，居民反响热烈" if status == "done" else "",
                "photo_captions": "",
                "created_at": starts - timedelta(days=20),
            }
        )
    ctx.bulk_insert(Event, events, "events")
    ctx.bulk_insert(Registration, registrations, "registrations", chunk=20000)
    ctx.ids["event_ids"] = [e["id"] for e in events if e["status"] == "published"]
