"""The published OpenAPI schema and its documentation page (Swagger UI, served by the
app from drf-spectacular-sidecar: the CSP allows no CDN and no inline script)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_the_schema_is_published(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1.0.0"
    assert schema["paths"] == SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/api/v1/results/{id}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_needs_no_cdn_and_no_inline_script(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
