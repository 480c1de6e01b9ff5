"""What waits for a background answer is let go on the GUI thread (ops/runner.py).

A view's callback (or the work's closure) holds the view. Let go last on a lane thread, the view was
freed there, and Qt cannot unregister a QObject's timers from another thread: its timer stayed
registered and fired on a freed object (the segfault seen in test_conflicts after a failed test
left a resolve in flight)."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from PySide6.QtCore import QObject, QTimer


class Holder(QObject):   # a widget-like receiver with a running timer
    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self, interval=10)
        self.timer.start()


def slow_name(holder: Holder) -> str:
    time.sleep(0.2)
    return holder.objectName()


def test_what_waits_for_an_answer_is_let_go_on_the_gui_thread(qtbot, desk):
    freed_on: list[str] = []
    holder = Holder()
    weakref.finalize(holder, lambda: freed_on.append(threading.current_thread().name))

    desk.ops.runner.call(slow_name, holder, done=lambda _value: None)   # the work holds the receiver
    del holder   # the view is closed while its answer is on the way
    gc.collect()
    qtbot.waitUntil(lambda: desk.ops.runner.busy == 0, timeout=5000)
    qtbot.waitUntil(lambda: freed_on != [], timeout=5000)
    assert freed_on == [threading.main_thread().name]
