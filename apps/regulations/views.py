from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from apps.regulations.models import Regulation
from apps.regulations.selectors import regulation_list, regulation_provisions

REGULATION_PROVISIONS_PER_PAGE = 30


def regulation_list_view(request):
    return render(request, "regulations/regulation_list.html", {"regulations": regulation_list()})


def regulation_detail(request, slug):
    regulation = get_object_or_404(Regulation, slug=slug)
    page_obj = Paginator(
        regulation_provisions(regulation=regulation), REGULATION_PROVISIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "regulations/regulation_detail.html",
        {"regulation": regulation, "page_obj": page_obj, "provisions": page_obj.object_list},
    )
