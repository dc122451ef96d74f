"""Django's model backend, with the signed-in user read by one prepared statement.

Every signed-in request loads its user. Django's backend builds and compiles an ORM
query for it each time; here the query is compiled once per database and only executed
(with the database's own value converters, as the ORM applies them). Logging in,
permissions and the active-account rule stay Django's. Sessions made under
``django.contrib.auth.backends.ModelBackend`` keep working: that path stays listed in
``AUTHENTICATION_BACKENDS`` after this one.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router


class _Prepared:
    """The compiled "user by primary key" statement for one database alias."""

    def __init__(self, model, using: str):
        query = model._default_manager.db_manager(using).filter(pk=0).query
        compiler = query.get_compiler(using)
        self.sql, _params = compiler.as_sql()
        self.compiler = compiler
        self.converters = compiler.get_converters([col for col, _, _ in compiler.select])
        self.fields = [field.attname for field in model._meta.concrete_fields]


class UserBackend(ModelBackend):
    _prepared: dict[str, _Prepared] = {}

    def get_user(self, user_id: Any):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:  # a session holding something that is no key: no user
            return None
        using = router.db_for_read(model)
        prepared = self._prepared.get(using)
        if prepared is None:
            prepared = self._prepared[using] = _Prepared(model, using)
        with connections[using].cursor() as cursor:
            cursor.execute(prepared.sql, [model._meta.pk.get_db_prep_value(pk, connections[using])])
            row = cursor.fetchone()
        if row is None:
            return None
        if prepared.converters:
            row = next(iter(prepared.compiler.apply_converters([row], prepared.converters)))
        user = model.from_db(using, prepared.fields, tuple(row))
        return user if self.user_can_authenticate(user) else None
