"""Overview: the latest reading of each parameter and the last 24 hours, refreshing by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard.formatting import age_text, label, local, value_text
from dashboard.state import all_tanks, choose_tank, engine
from db.readings import latest_readings, reading_series

REFRESH = timedelta(seconds=10)

tank = choose_tank(all_tanks())
st.title("Overview")
if tank is None:
    st.info(
        "No tanks yet. Publish a reading to `aquarium/<tank>/<parameter>` "
        "(for example `aquarium/turtles/temperature` with `25.1`), or run `aquarium tank add NAME`."
    )
    st.stop()

if tank.simulated:
    st.caption(
        f"Tank **{tank.name}** is SIMULATED: demo data from the virtual tank, not a real tank."
    )


@st.fragment(run_every=REFRESH)
def live() -> None:
    now = datetime.now(UTC)
    latest = latest_readings(engine(), tank.name)
    if not latest:
        st.info(f"No sensor readings for {tank.name} yet.")
        return
    columns = st.columns(min(4, len(latest)))
    for index, reading in enumerate(latest):
        with columns[index % len(columns)]:
            st.metric(label(reading.parameter), value_text(reading.parameter, reading.value))
            st.caption(f"{age_text(reading.time, now)} · {local(reading.time):%H:%M:%S}")
    frames = []
    for reading in latest:
        series = reading_series(engine(), tank.name, reading.parameter, now - timedelta(hours=24))
        if series:
            frame = pd.DataFrame(series, columns=["time", "value"])
            frame["parameter"] = label(reading.parameter)
            frames.append(frame)
    if frames:
        data = pd.concat(frames)
        data["time"] = data["time"].dt.tz_convert(local(now).tzinfo)
        figure = px.line(data, x="time", y="value", facet_row="parameter", height=160 * len(frames))
        figure.update_yaxes(matches=None, title_text="")
        figure.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis_title="")
        st.subheader("Last 24 hours")
        st.plotly_chart(figure, width="stretch")
    st.caption(f"Updated {local(now):%H:%M:%S}; refreshes every {REFRESH.seconds} s.")


live()
