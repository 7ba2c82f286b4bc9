"""OCPP-J 1.6 framing: what each kind of broken frame is answered with (OCPP-J 1.6 §4.2.3)."""

from __future__ import annotations

import json

import pytest

from mobie_hub.ocpp import frames
from mobie_hub.ocpp.frames import CallFrame, ErrorCode, ErrorFrame, FrameError, ResultFrame


def test_a_call_parses_into_its_parts():
    frame = frames.parse('[2,"19223201","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')

    assert frame == CallFrame(
        "19223201", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}
    )


def test_a_callresult_and_a_callerror_parse_with_or_without_details():
    assert frames.parse('[3,"7",{"status":"Accepted"}]') == ResultFrame("7", {"status": "Accepted"})
    assert frames.parse('[4,"7","NotSupported","nope",{"a":1}]') == ErrorFrame(
        "7", "NotSupported", "nope", {"a": 1}
    )
    assert frames.parse('[4,"7","GenericError","no details"]') == ErrorFrame(
        "7", "GenericError", "no details", {}
    )


@pytest.mark.parametrize(
    ("text", "code", "message_id"),
    [
        ("not json", ErrorCode.FORMATION_VIOLATION, "-1"),
        (b"\xff\xfe", ErrorCode.FORMATION_VIOLATION, "-1"),
        ('{"a": 1}', ErrorCode.FORMATION_VIOLATION, "-1"),
        ("[]", ErrorCode.FORMATION_VIOLATION, "-1"),
        ('["2","1","Heartbeat",{}]', ErrorCode.FORMATION_VIOLATION, "-1"),
        ('[2,1,"Heartbeat",{}]', ErrorCode.FORMATION_VIOLATION, "-1"),
        (json.dumps([2, "x" * 37, "Heartbeat", {}]), ErrorCode.FORMATION_VIOLATION, "-1"),
        ('[7,"m1","Heartbeat",{}]', ErrorCode.FORMATION_VIOLATION, "m1"),
        ('[2,"m1","Heartbeat"]', ErrorCode.PROTOCOL_ERROR, "m1"),
        ('[2,"m1"]', ErrorCode.PROTOCOL_ERROR, "m1"),
        ('[2,"m1","Heartbeat",{},{}]', ErrorCode.FORMATION_VIOLATION, "m1"),
        ('[2,"m1",42,{}]', ErrorCode.FORMATION_VIOLATION, "m1"),
        ('[2,"m1","Heartbeat",[]]', ErrorCode.FORMATION_VIOLATION, "m1"),
        # issue #12 finding 7: too deep or too big to parse, answered by the UniqueId the start names
        ('[2,"m1","Heartbeat",{"a":' + "[" * 1000 + "]" * 1000 + "}]", ErrorCode.FORMATION_VIOLATION, "m1"),
        ("[" * 1000 + "]" * 1000, ErrorCode.FORMATION_VIOLATION, "-1"),
        (json.dumps([2, "m1", "DataTransfer", {"data": "x" * 200_000}]), ErrorCode.FORMATION_VIOLATION, "m1"),
    ],
)
def test_broken_calls_get_the_ocpp_j_error_code_and_the_readable_message_id(text, code, message_id):
    with pytest.raises(FrameError) as caught:
        frames.parse(text)

    assert caught.value.code is code
    assert caught.value.message_id == message_id
    assert caught.value.answerable
    answer = json.loads(caught.value.to_text())
    assert answer[:3] == [4, message_id, code.value]


@pytest.mark.parametrize(
    "text",
    [
        '[3,"m1"]',
        '[3,"m1",[]]',
        '[4,"m1",5,"x",{}]',
        '[4,"m1","GenericError","x",[]]',
        '[3,"m1",{"a":' + "[" * 1000 + "]" * 1000 + "}]",
    ],
)
def test_broken_answers_are_never_answered(text):
    with pytest.raises(FrameError) as caught:
        frames.parse(text)

    assert not caught.value.answerable
    assert caught.value.message_id == "m1"


def test_frames_are_written_compactly_as_ocpp_j_arrays():
    assert frames.call_text("1", "Reset", {"type": "Soft"}) == '[2,"1","Reset",{"type":"Soft"}]'
    assert frames.result_text("1", {}) == '[3,"1",{}]'
    assert frames.error_text("1", ErrorCode.NOT_IMPLEMENTED, "x") == '[4,"1","NotImplemented","x",{}]'
