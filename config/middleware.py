from django.conf import settings
from django.utils import translation


class CookieLanguageMiddleware:
    """French unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; the
    product is French first, so only the language switcher's cookie changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
