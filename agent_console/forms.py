"""Forms (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[Optional(), Length(max=256)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new", _l("The two new passwords differ."))])


class ProfileForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[C("psychologist", _l("Psychologist")),
                                            C("supervisor", _l("Supervisor")),
                                            C("administrator", _l("Administrator"))])
    centre_id = SelectField(_l("Centre"), coerce=str)
    languages = SelectMultipleField(_l("Languages"), choices=[C("kk", "Қазақша"), C("ru", "Русский"),
                                                              C("en", "English")],
                                    default=["kk", "ru"])
    ui_language = SelectField(_l("Interface language"), choices=[C("kk", "Қазақша"),
                                                                 C("ru", "Русский"), C("en", "English")])


class UserForm(ProfileForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class TopicForm(FlaskForm):
    #: an identifier (also what reaches report CSVs): never a formula, a space or punctuation
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), Regexp(
        r"^\s*[A-Za-z0-9_]+\s*$", message=_l("Only Latin letters, digits and _ (for example "
                                              "online_safety)."))])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=120)])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[DataRequired(), Length(max=120)])
