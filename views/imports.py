"""导入台账 (staff): bring an office's Excel, WPS or CSV list of volunteers, elders or
merchants into its community. Choose the register (and, for the street admin, the
community), upload the file, check the proposed mapping of its columns, look at the rows
as they will be stored and at every bad row with its reasons, then import (all rows, or
only the good ones, asked first). Today's imports can be undone as a whole.

The uploaded file is read once: its rows are kept in session state under the file's
hash, so a rerun (a mapping changed) does not parse it again."""

import hashlib

import streamlit as st

from models.imports import ImportKind
from services import import_mapping, imports
from services.errors import BoardError
from services.import_files import EXTENSIONS, Table
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day
from ui.i18n import error_text, lang, t
from ui.records import confirm_action
from ui.session import page_guard
from ui.text import plain

actor = page_guard("imports")
st.title(t("nav.imports"))
show_flash()
if missing_organisation(actor):
    st.stop()
now = today()
PARSED = "imports_parsed"  # (the file's hash, its Table or the refusal reading it)
ROUND = "imports_round"  # counts imports made: a new round's uploader starts empty
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = "imports_recent"  # the recent imports' message slot


def choose_target() -> tuple[ImportKind, int]:
    """The register and the community the file goes into, and a template to fill in."""
    kind = ImportKind(
        st.radio(
            t("imports.register"),
            list(ImportKind),
            format_func=lambda k: t(f"imports.kind.{k}"),
            horizontal=True,
            key="imports_kind",
        )
    )
    communities = read(community_list, actor=actor)
    names = {c.id: c.name for c in communities}
    if actor.is_street_admin:
        community_id = st.selectbox(
            t("imports.community"),
            list(names),
            format_func=lambda cid: names[cid],
            key="imports_community",
        )
    else:
        community_id = int(actor.community_id or 0)
    st.caption(
        t(
            "imports.into",
            community=plain(names.get(community_id, "")),
            kind=t(f"imports.kind.{kind}"),
        )
    )
    st.download_button(
        t("imports.template", kind=t(f"imports.kind.{kind}")),
        data=lambda: imports.import_template(kind),
        file_name=f"{t('imports.template_file', kind=t(f'imports.kind.{kind}'))}.xlsx",
        mime=EXCEL,
        icon=":material/download:",
        key="imports_template",
    )
    return kind, community_id


def uploaded_table(uploaded) -> tuple[str, Table] | None:
    """The uploaded file's rows (read once per file), or None after saying why not."""
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get(PARSED)
    if kept is None or kept[0] != digest:
        try:
            kept = (digest, imports.import_read(data, uploaded.name))
        except BoardError as err:
            kept = (digest, err)
        st.session_state[PARSED] = kept
    if isinstance(kept[1], BoardError):
        st.error(error_text(kept[1]), icon=":material/error:")
        return None
    return digest, kept[1]


def column_mapping(kind: ImportKind, community_id: int, digest: str, table: Table) -> tuple:
    """One choice per column: the proposed field pre-selected, or 不导入."""
    st.subheader(t("imports.mapping"))
    st.caption(t("imports.mapping_help"))
    proposal = read(
        import_mapping.proposed_mapping,
        actor=actor,
        community_id=community_id,
        kind=kind,
        headers=table.headers,
    )
    options = [import_mapping.SKIP, *import_mapping.fields_of(kind)]
    first = table.rows[0].cells
    chosen = []
    columns = st.columns(4)
    for i, header in enumerate(table.headers):
        sample = first[i] if i < len(first) and first[i] is not None else ""
        chosen.append(
            columns[i % 4].selectbox(
                plain(header or f"#{i + 1}"),
                options,
                index=options.index(proposal[i]),
                format_func=lambda f: (
                    t(import_mapping.field_label_key(f)) if f else t("imports.skip")
                ),
                help=t("imports.sample", value=plain(sample)) if sample != "" else None,
                key=f"imports_map_{digest[:12]}_{kind}_{i}",
            )
        )
    return tuple(chosen)


def report_section(report: imports.ImportReport, table: Table, mapping: tuple) -> None:
    st.subheader(t("imports.preview"))
    preview = imports.preview_frame(report, lang())
    if preview.empty:
        st.caption(t("imports.preview_none"))
    else:
        st.dataframe(preview, hide_index=True, width="stretch")
    st.subheader(t("imports.report"))
    a, b, c = st.columns(3)
    a.metric(t("imports.rows_total"), len(report.rows))
    b.metric(t("imports.rows_good"), report.good)
    c.metric(t("imports.rows_bad"), report.bad)
    if not report.bad:
        st.success(t("imports.all_good"), icon=":material/check_circle:")
        return
    st.dataframe(imports.bad_rows(report, lang()), hide_index=True, width="stretch")
    st.download_button(
        t("imports.bad_rows_download"),
        data=lambda: imports.bad_rows_excel(report, table, mapping, lang()),
        file_name=f"{t('imports.bad_rows_file')}.xlsx",
        mime=EXCEL,
        icon=":material/download:",
        key="imports_bad_rows",
    )


def import_section(
    kind: ImportKind,
    community_id: int,
    name: str,
    table: Table,
    mapping: tuple,
    report: imports.ImportReport,
) -> None:
    """Import all rows, or only the good ones (asked first); the result on the page."""
    good_only = False
    if report.bad:
        st.warning(t("imports.has_bad_rows", n=report.bad), icon=":material/warning:")
        if not report.good:
            return
        good_only = st.checkbox(t("imports.good_only", n=report.good), key="imports_good_only")
        if not good_only:
            return
    confirmed = confirm_action(
        t("imports.go", n=report.good),
        scope="imports",
        action="go",
        record_id="file",
        question=t(
            "imports.confirm_question",
            n=report.good,
            kind=t(f"imports.kind.{kind}"),
            skipped=report.bad,
        ),
        confirm_label=t("imports.confirm"),
        icon=":material/upload:",
        width="content",
    )
    if not confirmed:
        return
    bar = confirmed.box.progress(0.0, text=t("imports.progress"))
    done = write(
        imports.import_run,
        where=confirmed.box,
        actor=actor,
        community_id=community_id,
        kind=kind,
        file_name=name,
        table=table,
        mapping=mapping,
        good_only=good_only,
        today=now,
        progress=lambda share: bar.progress(min(1.0, share), text=t("imports.progress")),
    )
    if done:
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.session_state.pop(PARSED, None)
        message = t(f"imports.done.{kind}", n=done.value.created)
        if done.value.skipped:
            message += " " + t("imports.done_skipped", n=done.value.skipped)
        flash(message, anchor=RECENT, clear=confirmed.keys)
        st.rerun()


def recent_imports(community_id: int) -> None:
    """The community's latest imports; today's can be undone as a whole."""
    st.subheader(t("imports.recent"))
    show_flash(RECENT)
    lines = read(imports.import_list, actor=actor, community_id=community_id, today=now)
    if not lines:
        st.info(t("imports.none_yet"), icon=":material/info:")
        return
    st.dataframe(
        {
            t("imports.col.at"): [f"{day(x.at)} {x.at:%H:%M}" for x in lines],
            t("imports.col.kind"): [t(f"imports.kind.{x.kind}") for x in lines],
            t("imports.col.file"): [x.file_name for x in lines],
            t("imports.col.by"): [x.by for x in lines],
            t("imports.col.rows"): [x.rows for x in lines],
            t("imports.col.created"): [x.created for x in lines],
            t("imports.col.skipped"): [x.skipped for x in lines],
            t("imports.col.state"): [
                t("imports.state.undone", at=f"{x.undone_at:%H:%M}") if x.undone_at else ""
                for x in lines
            ],
        },
        hide_index=True,
        width="stretch",
    )
    for line in (x for x in lines if x.can_undo):
        with st.container(border=True, key=f"imports_line_{line.id}"):
            st.markdown(
                f"**{plain(line.file_name)}** · {t(f'imports.kind.{line.kind}')} · "
                + t("imports.created_n", n=line.created)
            )
            confirmed = confirm_action(
                t("imports.undo"),
                scope="imports",
                action="undo",
                record_id=line.id,
                question=t("imports.undo_question", n=line.created),
                confirm_label=t("imports.undo_confirm"),
                icon=":material/undo:",
                width="content",
            )
            if confirmed and (
                undone := write(
                    imports.import_undo,
                    where=confirmed.box,
                    actor=actor,
                    batch_id=line.id,
                    today=now,
                    lang=lang(),
                )
            ):
                flash(t("imports.undone", n=undone.value), anchor=RECENT, clear=confirmed.keys)
                st.rerun()


kind, community_id = choose_target()
uploaded = st.file_uploader(
    t("imports.upload"),
    type=list(EXTENSIONS),
    help=t("imports.upload_help"),
    key=f"imports_file_{st.session_state.get(ROUND, 0)}",
)
if uploaded is not None and (parsed := uploaded_table(uploaded)):
    digest, table = parsed
    mapping = column_mapping(kind, community_id, digest, table)
    try:
        report = read(
            imports.import_check,
            actor=actor,
            community_id=community_id,
            kind=kind,
            table=table,
            mapping=mapping,
            today=now,
        )
    except BoardError as err:
        st.error(error_text(err), icon=":material/error:")
    else:
        report_section(report, table, mapping)
        import_section(kind, community_id, uploaded.name, table, mapping, report)
recent_imports(community_id)
