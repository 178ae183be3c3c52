"""Every flow and its steps, in one place: the targets a transition (`Go(Repair.LOCATION)`) may name.

Each flow module declares one Step for each member of its set (`dialogs.base.flow`); `check_flows()` runs
when `dialogs.flows` is imported and fails if a set has no flow. Stored conversations keep the values.
"""

from __future__ import annotations

from dialogs.base import Steps


class Menu(Steps, flow="menu"):
    START = "start"


class Help(Steps, flow="help"):
    START = "start"


class Lang(Steps, flow="lang"):
    START = "start"


class Bind(Steps, flow="bind"):
    START = "start"


class Unbind(Steps, flow="unbind"):
    START = "start"


class Repair(Steps, flow="repair"):
    START = "start"
    LOCATION = "location"
    WHERE = "where"
    DESCRIPTION = "description"
    PHOTOS = "photos"
    WINDOW = "window"
    CONFIRM = "confirm"


class Complaint(Steps, flow="complaint"):
    START = "start"
    CONTENT = "content"
    PHOTOS = "photos"
    CONFIRM = "confirm"


class Feedback(Steps, flow="feedback"):
    START = "start"
    TEXT = "text"
    CONFIRM = "confirm"


class Fees(Steps, flow="fees"):
    START = "start"


class Tickets(Steps, flow="tickets"):
    START = "start"
    VIEW = "view"
    MESSAGE = "message"


class Booking(Steps, flow="booking"):
    START = "start"
    DAY = "day"
    SLOT = "slot"
    NOTES = "notes"
    CONFIRM = "confirm"
    MINE = "mine"
    CANCEL = "cancel"


class Human(Steps, flow="human"):
    START = "start"
    LIVE = "live"  # a person answers: see estate.livechat.handover


class Emergency(Steps, flow="emergency"):
    START = "start"
    MORE = "more"


class Survey(Steps, flow="survey"):
    SPEED = "speed"
    ATTITUDE = "attitude"
    COMMENT = "comment"
