"""The cycle drawn from the CycleStep rows (any number of them), in two layouts: a ring of steps
for wider screens, and a column of the same steps for phones, where the ring, scaled down to the
screen, would draw its text at 7 px. The page carries both; CSS shows one (static/css/site.css)."""

import math
import textwrap
from dataclasses import dataclass, field

from core.templating import template_global

# The ring: drawn at about the width of the text column on a desktop (42rem, 672 px), so its
# 15-unit text is drawn at 14 px there.
WIDTH, HEIGHT = 720, 460
CENTRE_X, CENTRE_Y = WIDTH / 2, HEIGHT / 2
RADIUS_X, RADIUS_Y = 240, 150
NODE_WIDTH, NODE_HEIGHT = 210, 84
LINE_HEIGHT = 18
LINE_CHARACTERS = 24

# The column: drawn at about the width of a phone's text column (288-343 px on 320-375 px
# screens), so its 16-unit text is drawn at 15-18 px, as large as the body text.
COLUMN_WIDTH = 300
COLUMN_MARGIN = 8
COLUMN_NODE_WIDTH = 240
COLUMN_LINE_HEIGHT = 20
COLUMN_PADDING = 12
COLUMN_GAP = 36  # room for the arrow from one step down to the next
COLUMN_LANE = 28  # the arrow back from the last step to the first runs this far right of them


@dataclass
class Node:
    number: int
    x: float
    y: float
    lines: list
    width: float = NODE_WIDTH
    height: float = NODE_HEIGHT
    line_height: float = LINE_HEIGHT

    # Coordinates as text with a decimal point: the template must not localise them ("255,0").
    @property
    def centre_x(self):
        return f"{self.x:.1f}"

    @property
    def box_x(self):
        return f"{self.x - self.width / 2:.1f}"

    @property
    def box_y(self):
        return f"{self.y - self.height / 2:.1f}"

    @property
    def box_width(self):
        return f"{self.width:.1f}"

    @property
    def box_height(self):
        return f"{self.height:.1f}"

    @property
    def line_step(self):
        return f"{self.line_height:.1f}"

    @property
    def first_line_y(self):
        # Vertically centre the number (one line) and the label lines below it.
        total = len(self.lines) + 1
        return f"{self.y - (total - 1) * self.line_height / 2 + 5:.1f}"


@dataclass
class Layout:
    name: str  # "ring" or "column", for the CSS
    id: str  # the start of the SVG's element ids, unique on the page
    width: float
    height: float
    nodes: list = field(default_factory=list)
    arrows: list = field(default_factory=list)

    @property
    def view_box(self):
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def point(angle, inset=0):
    return (
        CENTRE_X + (RADIUS_X - inset) * math.cos(angle),
        CENTRE_Y + (RADIUS_Y - inset) * math.sin(angle),
    )


def ring_layout(steps):
    """Nodes clockwise from the top, and an arrow along the ring from each node to the next."""
    layout = Layout("ring", "cycle-diagram", WIDTH, HEIGHT)
    count = len(steps)
    if not count:
        return layout
    angles = [-math.pi / 2 + i * 2 * math.pi / count for i in range(count)]
    layout.nodes = [
        Node(step.number, *point(angle), textwrap.wrap(step.summary, LINE_CHARACTERS)[:3])
        for step, angle in zip(steps, angles, strict=True)
    ]
    if count > 1:
        gap = 0.42 if count <= 4 else 0.25  # radians kept clear around each node
        for angle in angles:
            start, end = angle + gap, angle + 2 * math.pi / count - gap
            (x1, y1), (x2, y2) = point(start), point(end)
            layout.arrows.append(
                f"M {x1:.1f} {y1:.1f} A {RADIUS_X} {RADIUS_Y} 0 0 1 {x2:.1f} {y2:.1f}"
            )
    return layout


def column_layout(steps):
    """Nodes one below the other with an arrow down to the next, and one arrow from the last
    back up to the first, beside them. Every node is as tall as the one with the most lines."""
    wrapped = [textwrap.wrap(step.summary, LINE_CHARACTERS) for step in steps]
    most_lines = max((len(lines) for lines in wrapped), default=0)
    node_height = (most_lines + 1) * COLUMN_LINE_HEIGHT + 2 * COLUMN_PADDING
    count = len(steps)
    height = 2 * COLUMN_MARGIN + count * node_height + max(count - 1, 0) * COLUMN_GAP
    layout = Layout("column", "cycle-diagram-column", COLUMN_WIDTH, height)
    centre_x = COLUMN_MARGIN + COLUMN_NODE_WIDTH / 2
    for i, (step, lines) in enumerate(zip(steps, wrapped, strict=True)):
        y = COLUMN_MARGIN + node_height / 2 + i * (node_height + COLUMN_GAP)
        layout.nodes.append(
            Node(
                step.number, centre_x, y, lines, COLUMN_NODE_WIDTH, node_height, COLUMN_LINE_HEIGHT
            )
        )
    if count > 1:
        # The arrowhead reaches 4 units past the end of its line; stop short of the boxes.
        for above, below in zip(layout.nodes, layout.nodes[1:], strict=False):
            top, bottom = above.y + node_height / 2 + 2, below.y - node_height / 2 - 6
            layout.arrows.append(f"M {centre_x:.1f} {top:.1f} V {bottom:.1f}")
        right = COLUMN_MARGIN + COLUMN_NODE_WIDTH
        first, last = layout.nodes[0], layout.nodes[-1]
        layout.arrows.append(
            f"M {right + 2:.1f} {last.y:.1f} H {right + COLUMN_LANE:.1f} "
            f"V {first.y:.1f} H {right + 6:.1f}"
        )
    return layout


@template_global
def cycle_diagram(steps):
    steps = list(steps)
    return {"ring": ring_layout(steps), "column": column_layout(steps)}
