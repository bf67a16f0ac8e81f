from django import template

from cycle.diagram import cycle_diagram

register = template.Library()


@register.inclusion_tag("cycle/_diagram.html")
def cycle_diagram_svg(steps):
    return {"steps": steps, **cycle_diagram(steps)}
