"""The cycle drawn as a ring of steps, computed from the CycleStep rows (any number of them)."""

import math
import textwrap
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 460
CENTRE_X, CENTRE_Y = WIDTH / 2, HEIGHT / 2
RADIUS_X, RADIUS_Y = 240, 150
NODE_WIDTH, NODE_HEIGHT = 210, 84
LINE_CHARACTERS = 24


@dataclass
class Node:
    number: int
    x: float
    y: float
    lines: list

    # Coordinates as text with a decimal point: the template must not localise them ("255,0").
    @property
    def centre_x(self):
        return f"{self.x:.1f}"

    @property
    def box_x(self):
        return f"{self.x - NODE_WIDTH / 2:.1f}"

    @property
    def box_y(self):
        return f"{self.y - NODE_HEIGHT / 2:.1f}"

    @property
    def first_line_y(self):
        # Vertically centre the number (one line) and the label lines below it.
        total = len(self.lines) + 1
        return f"{self.y - (total - 1) * 9 + 5:.1f}"


def point(angle, inset=0):
    return (
        CENTRE_X + (RADIUS_X - inset) * math.cos(angle),
        CENTRE_Y + (RADIUS_Y - inset) * math.sin(angle),
    )


def cycle_diagram(steps):
    """Nodes clockwise from the top, and an arrow along the ring from each node to the next."""
    steps = list(steps)
    count = len(steps)
    if not count:
        return {"nodes": [], "arrows": [], "width": WIDTH, "height": HEIGHT}
    angles = [-math.pi / 2 + i * 2 * math.pi / count for i in range(count)]
    nodes = [
        Node(step.number, *point(angle), textwrap.wrap(step.summary, LINE_CHARACTERS)[:3])
        for step, angle in zip(steps, angles, strict=True)
    ]
    arrows = []
    if count > 1:
        gap = 0.42 if count <= 4 else 0.25  # radians kept clear around each node
        for angle in angles:
            start, end = angle + gap, angle + 2 * math.pi / count - gap
            (x1, y1), (x2, y2) = point(start), point(end)
            arrows.append(f"M {x1:.1f} {y1:.1f} A {RADIUS_X} {RADIUS_Y} 0 0 1 {x2:.1f} {y2:.1f}")
    return {"nodes": nodes, "arrows": arrows, "width": WIDTH, "height": HEIGHT}
