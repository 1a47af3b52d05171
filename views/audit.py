"""Audit trail (staff): every change, who made it and when."""

import pandas as pd
import streamlit as st

from models.base import local
from services.audit import audit_list
from ui.actions import read
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("audit")
st.title(t("nav.audit"))
rows = read(audit_list, actor=actor)
if not rows:
    st.info(t("audit.empty"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("audit.at"): [local(r.at).strftime("%Y-%m-%d %H:%M") for r in rows],
                t("audit.who"): [r.who for r in rows],
                t("audit.action"): [r.action for r in rows],
                t("audit.table"): [r.table_name for r in rows],
                t("audit.row"): [r.row_id for r in rows],
                t("audit.changes"): [r.changes for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )
