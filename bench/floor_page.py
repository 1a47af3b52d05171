"""The floor of the page figures (bench/common.py): about the least a page of the board
does, a title, a 10-row table and one small Altair chart, run by AppTest like the pages."""

import altair as alt
import pandas as pd
import streamlit as st

st.title("基准页")
frame = pd.DataFrame({"月份": [f"{m}月" for m in range(1, 11)], "探访": range(10, 110, 10)})
st.dataframe(frame, hide_index=True)
st.altair_chart(alt.Chart(frame).mark_bar().encode(x="月份", y="探访"), width="stretch")
