"""Demo step: communities, grids and the demo accounts."""

from __future__ import annotations

from models.accounts import Account, Role
from models.org import Community, Grid
from services.auth import hash_password
from services.demo import DEMO_PASSWORD, DemoContext

# The residents' committees' directors (居委会主任) who sign certificates, in turn.
PEOPLE_IN_CHARGE = ("王秀英", "李建华", "张丽萍", "刘志强", "陈桂兰", "赵国庆", "孙美玲")


def seed(ctx: DemoContext) -> None:
    data = ctx.yaml("demo_core.yaml")
    communities = list(data["communities"])
    for name in data["extra_community_names"][: max(0, ctx.size.communities - len(communities))]:
        communities.append(
            {
                "name": f"{name}社区",
                "street": "大学西路街道",
                "district": "赛罕区",
                "grids": ["第一网格", "第二网格", "第三网格"],
            }
        )
    communities = communities[: ctx.size.communities]
    community_ids: dict[str, int] = {}
    grid_ids: dict[tuple[str, str], int] = {}
    for n, c in enumerate(communities):
        # who signs the community's certificates of service, and its office phone
        row = Community(
            name=c["name"],
            street=c["street"],
            district=c["district"],
            person_in_charge=PEOPLE_IN_CHARGE[n % len(PEOPLE_IN_CHARGE)],
            office_phone=f"0471-695{n:04d}",
        )
        ctx.session.add(row)
        ctx.session.flush()
        community_ids[c["name"]] = row.id
        for grid_name in c["grids"]:
            grid = Grid(community_id=row.id, name=grid_name)
            ctx.session.add(grid)
            ctx.session.flush()
            grid_ids[(c["name"], grid_name)] = grid.id
    ctx.progress("communities", 1.0)

    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: fast
    account_ids: dict[str, int] = {}
    approver_ids: dict[int, int] = {}  # community id -> its secretary, who approves hours
    for a in data["accounts"]:
        account = Account(
            username=a["username"],
            password_hash=password_hash,
            display_name=a["display_name"],
            role=Role(a["role"]),
            community_id=community_ids.get(a.get("community")),
        )
        ctx.session.add(account)
        ctx.session.flush()
        account_ids[a["username"]] = account.id
        if a["role"] == "secretary":
            approver_ids[community_ids[a["community"]]] = account.id
        if a.get("grid"):
            grid = ctx.session.get_one(Grid, grid_ids[(a["community"], a["grid"])])
            grid.worker_account_id = account.id
    ctx.session.flush()
    ctx.ids.update(
        community_ids=community_ids,
        grid_ids={cid: [] for cid in community_ids.values()},
        account_ids=account_ids,
        # hours are approved by the community's secretary, or the street admin where the
        # demo has no secretary account
        approver_ids={
            cid: approver_ids.get(cid, account_ids["admin"]) for cid in community_ids.values()
        },
        password_hash=password_hash,
    )
    for (name, _), gid in grid_ids.items():
        ctx.ids["grid_ids"][community_ids[name]].append(gid)
    ctx.progress("accounts", 1.0)
