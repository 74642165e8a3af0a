"""Supportive and secondary analyses that compare each active arm with the control."""

__all__: list[str] = []
