"""factory_boy factories bound to the app's database session."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from pain_diary.accounts.models import User
from pain_diary.accounts.passwords import hash_password
from pain_diary.extensions import db

PASSWORD = "correct horse battery staple"


def password_hash():
    return hash_password(PASSWORD)


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("first_name")
    role = "patient"
    timezone = "Europe/Berlin"
    password_hash = factory.LazyFunction(password_hash)
