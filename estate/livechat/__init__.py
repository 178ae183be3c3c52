"""Live chats: a resident who asked for a person, answered by an agent from the console inbox."""
