"""Reporting a repair: a category (or the words), where, what, photos, when the technician may come,
confirmed. One module per part of the conversation."""

from dialogs.base import Step
from dialogs.flows.confirm_request import confirm_step
from dialogs.flows.repair.confirm import file_repair, repair_confirm_prompt
from dialogs.flows.repair.place import location_handle, location_prompt, where_handle, where_prompt
from dialogs.flows.repair.problem import (
    description_handle,
    description_prompt,
    repair_start,
    repair_start_prompt,
)
from dialogs.flows.repair.visit import window_handle, window_prompt
from dialogs.flows.shared import photo_step
from dialogs.registry import flow
from dialogs.steps import Repair

flow(
    Repair,
    {
        Repair.START: Step(repair_start_prompt, repair_start),
        Repair.LOCATION: Step(location_prompt, location_handle),
        Repair.WHERE: Step(where_prompt, where_handle),
        Repair.DESCRIPTION: Step(description_prompt, description_handle),
        Repair.PHOTOS: photo_step(Repair.WINDOW),
        Repair.WINDOW: Step(window_prompt, window_handle),
        Repair.CONFIRM: confirm_step(repair_confirm_prompt, again=Repair.START, file=file_repair),
    },
)
