"""Demographics, primary provider and care team (patient_data, §1.1)."""

from dataclasses import dataclass, field

from records.chart.base import _int, _Names, _page
from records.display import clean
from records.models import PatientData


@dataclass
class Profile:
    name: str
    preferred_name: str
    date_of_birth: object
    record_number: str
    address_lines: list
    phones: list
    email: str
    emergency_contact: str
    sex: str = ""
    gender_identity: str = ""
    pronoun: str = ""
    language: str = ""
    marital_status: str = ""
    primary_provider: str = ""
    care_team: list = field(default_factory=list)
    deceased: bool = False


@dataclass
class CareTeamMember:
    name: str = ""


@_page
def profile(pid):
    """Demographics, primary provider and care team (patient_data + one users query + one list_options)."""
    row = PatientData.objects.filter(pid=pid).values(
        "title", "fname", "mname", "lname", "suffix", "preferred_name", "dob", "pubpid", "street", "street_line_2",
        "city", "state", "postal_code", "country_code", "phone_home", "phone_biz", "phone_cell", "phone_contact",
        "contact_relationship", "email", "provider_id", "care_team_provider", "sex", "gender_identity", "pronoun",
        "language", "status", "deceased_date").first()
    if row is None:
        return None
    names = _Names()
    name = " ".join(p for p in (clean(row["fname"]), clean(row["mname"]), clean(row["lname"])) if p)
    if clean(row["suffix"]):
        name = f"{name}, {clean(row['suffix'])}"
    region = " ".join(p for p in (clean(row["state"]), clean(row["postal_code"])) if p)
    address = [clean(row["street"]), clean(row["street_line_2"]),
               ", ".join(p for p in (clean(row["city"]), region) if p)]
    phones = [(label, clean(row[key])) for key, label in (
        ("phone_cell", "Mobile"), ("phone_home", "Home"), ("phone_biz", "Work")) if clean(row[key])]
    item = Profile(name or "Name not recorded", clean(row["preferred_name"]), row["dob"], clean(row["pubpid"]),
                   [line for line in address if line], phones, clean(row["email"]),
                   " ".join(p for p in (clean(row["contact_relationship"]), clean(row["phone_contact"])) if p),
                   deceased=row["deceased_date"] is not None)
    names.option(item, "sex", "sex", row["sex"])
    names.option(item, "gender_identity", "gender_identity", clean(row["gender_identity"]).split("|")[0])
    names.option(item, "pronoun", "pronoun", row["pronoun"])
    names.option(item, "language", "language", row["language"])
    names.option(item, "marital_status", "marital", row["status"])
    names.provider(item, "primary_provider", row["provider_id"])
    team_ids = []
    for part in clean(row["care_team_provider"]).split("|"):
        user_id = _int(part)
        if user_id and user_id > 0 and user_id not in team_ids and user_id != _int(row["provider_id"]):
            team_ids.append(user_id)
    for user_id in team_ids:
        member = CareTeamMember()
        names.provider(member, "name", user_id)
        item.care_team.append(member)
    names.resolve()
    item.care_team = [member.name for member in item.care_team if member.name]
    return item
