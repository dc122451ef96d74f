from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

NUL = "\x00"


def language_of(request: HttpRequest) -> str:
    """The person's language: the switcher's cookie if it names one we have, else French.

    Read from the cookie alone (no session, no database), so that the page telling a
    person the database is unreachable can be in their language too.
    """
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {code for code, _name in settings.LANGUAGES}
    return language if language in supported else settings.LANGUAGE_CODE


class CookieLanguageMiddleware:
    """French unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; the
    product is French first, so only the language switcher's cookie changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class DropNulCookiesMiddleware:
    """A cookie holding a NUL character is left unread, as if the browser had not sent it.

    A Cookie header can carry one (a quoted "\\000"), and the session middleware would
    look its key up in the database: PostgreSQL refuses NUL in a query's text, a 500.
    Unlike an address, a cookie is not something a person can see or fix, so the request
    goes on without it (signed out) rather than being answered 400. Before
    SessionMiddleware, which reads the session cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value
                for name, value in request.COOKIES.items()
                if NUL not in name and NUL not in value
            }
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in the path or the query string is answered 400, before any view.

    PostgreSQL refuses NUL in every text parameter (psycopg raises DataError), and views
    use the query string in lookups (`?role=` filters the roles): refusing it here covers
    every view at once. Form fields are left to the forms: Django's CharField already
    refuses NUL with a message on the field, which tells the person what to fix (and
    reading request.POST here would parse every upload before its view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            reason = _("The address holds a NUL character, which is not allowed.")
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}))
        return self.get_response(request)
