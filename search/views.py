from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language, ngettext

from .services import MAX_QUERY_LENGTH, clean_query, search


def results(request):
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    hits = search(query, get_language()) if query else []
    page = Paginator(hits, 10).get_page(request.GET.get("page"))
    count = len(hits)
    summary = ngettext(
        "%(counter)s result for “%(query)s”.", "%(counter)s results for “%(query)s”.", count
    ) % {"counter": count, "query": query}
    return render(
        request,
        "search/results.html",
        {
            "query": query,
            "was_shortened": len(" ".join(raw.split())) > MAX_QUERY_LENGTH,
            "page_obj": page,
            "hits": page.object_list,
            "count": count,
            "summary": summary,
        },
    )
