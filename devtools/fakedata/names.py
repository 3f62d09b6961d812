"""Invented people and places. Mixed origins on purpose: accents, apostrophes, hyphens, Vietnamese
diacritics and CJK names all occur in a real clinic's patient_data and must survive every page."""

# (first names female, first names male, last names, language option_id, weight)
NAME_POOLS = [
    (
        ["Emma", "Olivia", "Ava", "Sophia", "Grace", "Hannah", "Abigail", "Megan", "Rachel", "Laura", "Karen",
         "Susan", "Linda", "Patricia", "Dorothy", "Evelyn", "Margaret", "Claire", "Madison", "Zoë"],
        ["James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Daniel", "Matthew",
         "Andrew", "Joshua", "Ryan", "Brian", "Kevin", "Gary", "Harold", "Walter", "Ethan", "Liam"],
        ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
         "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "O'Brien",
         "McAllister", "Fitzgerald", "Sullivan", "Murphy", "Kowalski", "Schmidt", "Müller", "Björnsson",
         "Søndergaard", "Van der Berg", "St. John", "Ashford-Whitley"],
        "english", 64,
    ),
    (
        ["María", "Lucía", "Sofía", "Valentina", "Camila", "Ana", "Isabel", "Carmen", "Guadalupe", "Ximena",
         "Mariana", "Daniela", "Verónica", "Inés", "Rocío"],
        ["José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Alejandro", "Andrés", "Martín", "Sebastián",
         "Raúl", "Héctor", "Joaquín", "Iván", "Óscar"],
        ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
         "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Muñoz", "Peña", "Ibáñez", "Núñez", "García-López",
         "de la Cruz"],
        "spanish", 16,
    ),
    (
        ["Linh", "Mai", "Thảo", "Hương", "Ngọc", "Trang", "Phương"],
        ["Minh", "Huy", "Quang", "Tuấn", "Đức", "Khánh", "Long"],
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Vũ", "Bùi"],
        "vietnamese", 4,
    ),
    (
        ["秀英", "娜", "敏", "静", "丽", "Mei-Ling", "Xiu"],
        ["伟", "强", "磊", "军", "洋", "Wei", "Jun"],
        ["王", "李", "张", "刘", "陈", "杨", "Chen", "Wang", "Zhang"],
        "chinese", 4,
    ),
    (
        ["花子", "さくら", "Yuki", "Aiko"],
        ["太郎", "健", "Hiroshi", "Kenji"],
        ["佐藤", "鈴木", "高橋", "Tanaka", "Watanabe"],
        "japanese", 1,
    ),
    (
        ["서연", "지우", "Min-ji", "Ji-woo"],
        ["민준", "서준", "Jae-won", "Dong-hyun"],
        ["김", "이", "박", "Kim", "Park", "Choi"],
        "korean", 2,
    ),
    (
        ["Chloé", "Élodie", "Amélie", "Margaux", "Anaïs", "Céline"],
        ["François", "Stéphane", "Aurélien", "Jérôme", "Benoît", "Loïc"],
        ["Lefèvre", "Dubois", "Moreau", "Girard", "Bélanger", "Côté", "Lévesque"],
        "french", 3,
    ),
    (
        ["Fatima", "Aisha", "Layla", "Noor", "Yasmin"],
        ["Mohammed", "Omar", "Youssef", "Karim", "Tariq"],
        ["Haddad", "Al-Sayed", "Khalil", "Mansour", "Nasser", "El-Amin"],
        "arabic", 2,
    ),
    (
        ["Olga", "Natalia", "Ekaterina", "Irina"],
        ["Dmitri", "Sergei", "Aleksandr", "Nikolai"],
        ["Ivanov", "Petrova", "Smirnov", "Volkov", "Kuznetsova"],
        "russian", 2,
    ),
    (
        ["Maria Clara", "Joana", "Luíza"],
        ["João", "Gonçalo", "Tiago"],
        ["Silva", "Santos", "Conceição", "Magalhães"],
        "portuguese", 2,
    ),
]

SUFFIXES = ["Jr.", "Sr.", "II", "III"]
MIDDLE_INITIALS = list("ABCDEFGHJKLMNPRSTW")

# Invented street names; real-looking New England towns (the demo clinic keeps America/New_York time).
STREETS = [
    "Elm Street", "Maple Avenue", "Oak Lane", "River Road", "Chestnut Street", "Pleasant Street",
    "Highland Avenue", "Washington Street", "Prospect Hill Road", "Mill Pond Way", "Orchard Circle",
    "Summer Street", "Birch Terrace", "Harbor View Drive", "Church Street", "Spring Street",
    "Quarry Road", "Lakeview Boulevard", "Willow Court", "Cedar Ridge Road",
]
CITIES = [
    ("Springfield", "MA", "011"), ("Worcester", "MA", "016"), ("Holyoke", "MA", "010"),
    ("Hartford", "CT", "061"), ("New Haven", "CT", "065"), ("Providence", "RI", "029"),
    ("Albany", "NY", "122"), ("Burlington", "VT", "054"), ("Concord", "NH", "033"), ("Portland", "ME", "041"),
]
UNIT_PREFIXES = ["Apt", "Unit", "Suite", "#"]
EMAIL_DOMAINS = ["example.org", "example.com", "example.net", "mail.example.org"]

CONTACT_RELATIONSHIPS = ["Spouse", "Mother", "Father", "Daughter", "Son", "Sister", "Brother", "Friend",
                         "Partner", "Neighbour"]

# Providers and staff (users). Credentials go in valedictory, as OpenEMR shows them after the name.
PROVIDERS = [
    ("Dr.", "Maria", "", "Okafor", "MD", "Family Medicine"),
    ("Dr.", "José", "A.", "Ramírez", "MD", "Internal Medicine"),
    ("Dr.", "Mei-Ling", "", "Chen", "DO", "Pediatrics"),
    ("", "Sarah", "J.", "O'Connell", "NP", "Family Medicine"),
    ("Dr.", "Thomas", "", "Nguyễn", "MD", "Cardiology"),
    ("Dr.", "Aisha", "", "Haddad", "MD", "Obstetrics & Gynecology"),
    ("", "Kevin", "", "Lindqvist", "PA-C", "Family Medicine"),
    ("Dr.", "Ingrid", "", "Sørensen", "MD", "Endocrinology"),
    ("Dr.", "Samuel", "B.", "Adeyemi", "MD", "Internal Medicine"),
    ("", "Hannah", "", "Whitfield", "NP", "Pediatrics"),
    ("Dr.", "Carlos", "", "Peña", "DO", "Family Medicine"),
    ("Dr.", "Priya", "", "Raman", "MD", "Dermatology"),
]
PROVIDER_FIRST = ["Anna", "Ben", "Clara", "Diego", "Elena", "Farid", "Greta", "Hiro", "Isla", "Jonas", "Kaia",
                  "Lorenzo", "Mira", "Nikhil", "Oona", "Pavel", "Quinn", "Rosa", "Stefan", "Tamar"]
PROVIDER_LAST = ["Abernathy", "Bianchi", "Castillo", "Dragomir", "Eriksen", "Fontaine", "Gallagher", "Hoffmann",
                 "Iwasaki", "Jovanović", "Kaur", "Larsen", "Moreau", "Novak", "Oyelaran", "Petrakis"]
VALEDICTORIES = ["MD", "MD", "DO", "NP", "PA-C", "MD, PhD"]
SPECIALTIES = ["Family Medicine", "Internal Medicine", "Pediatrics", "Cardiology", "Geriatrics",
               "Obstetrics & Gynecology", "Endocrinology"]

FACILITIES = [
    # name, phone, street, city, state, zip, primary business entity
    ("Riverside Family Clinic", "(555) 201-3300", "12 River Road", "Springfield", "MA", "01103", 1),
    ("Riverside Family Clinic – Northgate", "(555) 201-3400", "480 Northgate Plaza, Suite 2", "Holyoke", "MA",
     "01040", 0),
    ("Riverside Pediatrics & Women's Health", "(555) 201-3500", "9 Chestnut Street", "Worcester", "MA",
     "01608", 0),
]
