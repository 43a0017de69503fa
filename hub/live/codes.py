"""Websocket close codes the hub uses, each with a name clients can show."""
from __future__ import annotations

import enum


class CloseCode(enum.IntEnum):
    NORMAL = 1000
    GOING_AWAY = 1001
    UNSUPPORTED_DATA = 1003      # binary frames: the protocol is JSON text
    INVALID_DATA = 1007          # a text frame that is not UTF-8
    MESSAGE_TOO_BIG = 1009       # over the hard frame limit
    INTERNAL_ERROR = 1011        # the hub failed on this connection's input (a bug: it is logged)
    SERVICE_RESTART = 1012       # the hub is restarting: reconnect and resume
    BAD_HELLO = 4400             # the first message was not a valid hello
    UNAUTHORIZED = 4401          # forged, expired or revoked link, wrong site code
    UNKNOWN_EVENT = 4404
    HELLO_TIMEOUT = 4408
    TOO_SLOW = 4409              # stayed behind too long: reconnect and resume
    ABUSE = 4429                 # too many refused messages in a short time
