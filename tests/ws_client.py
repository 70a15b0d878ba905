"""A Streamlit session without a browser: the app's own websocket protocol, spoken from Python.

A browser tab and this client look the same to the server: one websocket on /_stcore/stream, one
session, `BackMsg.rerun_script` with the URL's query string and the widget values, `ForwardMsg`
deltas back. Twenty of these cost the machine next to nothing, so a load test measures the
server, not twenty Chromium tabs drawing Plotly on two cores.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

RUN_TIMEOUT_S = 120


@dataclass
class Run:
    """What one script run sent back: its elements in order, the URL it left, how long it took."""

    elements: list[tuple[str, Any]] = field(default_factory=list)
    query_string: str | None = None
    page_not_found: bool = False
    finished: str = ""
    seconds: float = 0.0

    def of_type(self, kind: str) -> list[Any]:
        """The elements of one proto type ('metric', 'plotly_chart', 'multiselect', …)."""
        return [element for name, element in self.elements if name == kind]

    def metrics(self) -> dict[str, str]:
        """Key figures as shown: label → value text."""
        return {m.label: m.body for m in self.of_type("metric")}

    def charts(self) -> list[dict]:
        """Every Plotly chart's figure, as the browser would get it."""
        return [json.loads(chart.spec) for chart in self.of_type("plotly_chart")]

    def widget_id(self, kind: str, label: str) -> str:
        """The id of the widget of this proto type with this label (ids change with options)."""
        for element in self.of_type(kind):
            if element.label == label:
                return element.id
        raise LookupError(f"kein {kind} „{label}“ auf der Seite")

    def problems(self) -> list[str]:
        """Exception boxes and error alerts, as texts."""
        found = [f"Ausnahme: {e.type}: {e.message}"[:300] for e in self.of_type("exception")]
        found += [f"Fehlermeldung: {a.body}"[:300] for a in self.of_type("alert") if a.format == 1]
        if self.page_not_found:
            found.append("Streamlit meldete „Seite nicht gefunden“")
        if self.finished != "FINISHED_SUCCESSFULLY":
            found.append(f"Skriptlauf endete mit {self.finished or 'nichts'}")
        return found


class StreamlitSession:
    """One session on a running app; `run()` reruns the script and collects what it shows."""

    def __init__(self, port: int, *, page: str = "") -> None:
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.page = page
        self.query_string = ""
        self._ws: Any = None

    async def __aenter__(self) -> StreamlitSession:
        # No client pings: a browser tab sends none and waits as long as the server takes; with
        # the library's default (20 s) a server busy with twenty first runs looked dead to us.
        self._ws = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=RUN_TIMEOUT_S,
            ping_interval=None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def run(
        self,
        *,
        query_string: str | None = None,
        widgets: dict[str, tuple[str, Any]] | None = None,
    ) -> Run:
        """Rerun the page as the browser does after a URL load or a widget change.

        widgets maps widget id → (WidgetState value field, value), e.g.
        {"$$ID-…-art": ("string_array_value", ["Zweckverband"])}.
        """
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string if query_string is None else query_string
        state.page_name = self.page
        for widget_id, (value_field, value) in (widgets or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            if value_field == "string_array_value":
                widget.string_array_value.data.extend(value)
            else:
                setattr(widget, value_field, value)
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run()
        async with asyncio.timeout(RUN_TIMEOUT_S):
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await self._ws.recv())
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    element = forward.delta.new_element
                    name = element.WhichOneof("type")
                    run.elements.append((name, getattr(element, name)))
                elif kind == "page_not_found":
                    run.page_not_found = True
                elif kind == "page_info_changed":
                    run.query_string = forward.page_info_changed.query_string
                    self.query_string = run.query_string
                elif kind == "script_finished":
                    run.finished = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
                    break
        run.seconds = time.perf_counter() - started
        return run
