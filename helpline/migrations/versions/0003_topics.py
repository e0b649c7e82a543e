"""topics: the contact topics named by the sources (editable later by administrators)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TOPICS = [
    ("bullying", "Bullying", "Буллинг", "Буллинг"),
    ("cyberbullying", "Cyberbullying", "Кибербуллинг", "Кибербуллинг"),
    ("violence_family", "Violence in the family", "Насилие в семье", "Отбасындағы зорлық-зомбылық"),
    ("violence_school", "Violence at school", "Насилие в школе", "Мектептегі зорлық-зомбылық"),
    ("violence_sexual", "Sexual violence", "Сексуальное насилие", "Жыныстық зорлық-зомбылық"),
    ("suicidal", "Suicidal thoughts or behaviour", "Суицидальные мысли или поведение",
     "Суицидтік ойлар немесе мінез-құлық"),
    ("self_harm", "Self-harm", "Самоповреждение", "Өзіне зиян келтіру"),
    ("divorce", "Parents' divorce", "Развод родителей", "Ата-ананың ажырасуы"),
    ("bereavement", "Death of a loved one", "Смерть близкого", "Жақын адамның қайтыс болуы"),
    ("acute_stress", "Acute stress", "Острый стресс", "Жедел стресс"),
    ("ptsd", "PTSD", "ПТСР", "ЖСКБ"),
    ("panic_attacks", "Panic attacks", "Панические атаки", "Дүрбелең шабуылдары"),
    ("postvention", "Postvention", "Поственция", "Поственция"),
    ("school_refusal", "School refusal", "Отказ от посещения школы", "Мектепке барудан бас тарту"),
    ("psychosomatics", "Psychosomatics", "Психосоматика", "Психосоматика"),
    ("relationships", "Relationships", "Отношения", "Қарым-қатынас"),
    ("parenting", "Parenting questions", "Вопросы воспитания", "Тәрбие мәселелері"),
    ("specialist_question", "Question from a specialist", "Вопрос специалиста", "Маман сұрағы"),
    ("other", "Other", "Другое", "Басқа"),
]


def upgrade() -> None:
    topics = sa.table("topics", sa.column("code", sa.String), sa.column("name_en", sa.String),
                      sa.column("name_ru", sa.String), sa.column("name_kk", sa.String),
                      sa.column("is_active", sa.Boolean))
    op.bulk_insert(topics, [
        {"code": code, "name_en": en, "name_ru": ru, "name_kk": kk, "is_active": True}
        for code, en, ru, kk in TOPICS
    ])


def downgrade() -> None:
    codes = ", ".join(f"'{code}'" for code, *_ in TOPICS)
    op.execute(f"DELETE FROM topics WHERE code IN ({codes})")  # noqa: S608
