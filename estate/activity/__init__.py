"""What staff should notice: the feed of events the live console pushes, and what each staff member has read."""
