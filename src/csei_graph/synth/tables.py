"""The made-up world synthetic graphs are drawn from: countries, themes, names, roles, funding actions."""

ACTOR_KINDS = (
    "social-economy-entity",
    "mainstream-enterprise",
    "civil-society-organisation",
    "public-authority",
    "education-research-institution",
)
# How often each kind joins a cluster beyond the first five members (one of each kind).
ACTOR_KIND_WEIGHTS = (25, 40, 13, 10, 12)
SHARED_FRACTION = 0.25  # organisations created as members of several clusters
REUSE_PROBABILITY = 0.3  # a member slot taken by an organisation already in another cluster
REUSE_CANDIDATES = 50
MAX_WAITING = 1000
MEMBERS_PER_CLUSTER = (10, 60)
CLUSTERS_PER_PARTNERSHIP = 8

# The EU member states: authority table code, English name (as the table gives it), a few cities.
EU_COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AUT": ("Austria", ("Vienna", "Graz", "Linz", "Salzburg")),
    "BEL": ("Belgium", ("Brussels", "Antwerp", "Ghent", "Liege")),
    "BGR": ("Bulgaria", ("Sofia", "Plovdiv", "Varna")),
    "HRV": ("Croatia", ("Zagreb", "Split", "Rijeka")),
    "CYP": ("Cyprus", ("Nicosia", "Limassol")),
    "CZE": ("Czechia", ("Prague", "Brno", "Ostrava")),
    "DNK": ("Denmark", ("Copenhagen", "Aarhus", "Odense")),
    "EST": ("Estonia", ("Tallinn", "Tartu")),
    "FIN": ("Finland", ("Helsinki", "Tampere", "Oulu")),
    "FRA": ("France", ("Lyon", "Lille", "Nantes", "Bordeaux", "Marseille", "Strasbourg")),
    "DEU": ("Germany", ("Berlin", "Hamburg", "Munich", "Leipzig", "Cologne", "Dortmund")),
    "GRC": ("Greece", ("Athens", "Thessaloniki", "Patras")),
    "HUN": ("Hungary", ("Budapest", "Debrecen", "Szeged")),
    "IRL": ("Ireland", ("Dublin", "Cork", "Galway")),
    "ITA": ("Italy", ("Turin", "Milan", "Bologna", "Naples", "Florence", "Bari")),
    "LVA": ("Latvia", ("Riga", "Daugavpils")),
    "LTU": ("Lithuania", ("Vilnius", "Kaunas", "Klaipeda")),
    "LUX": ("Luxembourg", ("Luxembourg", "Esch-sur-Alzette")),
    "MLT": ("Malta", ("Valletta", "Birkirkara")),
    "NLD": ("Netherlands", ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven")),
    "POL": ("Poland", ("Warsaw", "Krakow", "Lodz", "Gdansk", "Poznan", "Lomza")),
    "PRT": ("Portugal", ("Lisbon", "Porto", "Braga")),
    "ROU": ("Romania", ("Bucharest", "Cluj-Napoca", "Iasi", "Timisoara")),
    "SVK": ("Slovakia", ("Bratislava", "Kosice")),
    "SVN": ("Slovenia", ("Ljubljana", "Maribor")),
    "ESP": ("Spain", ("Madrid", "Barcelona", "Valencia", "Bilbao", "Seville", "Zaragoza")),
    "SWE": ("Sweden", ("Stockholm", "Gothenburg", "Malmo", "Orebro")),
}
# Themes of clusters: (words in the name, industrial ecosystem, innovation types fostered).
THEMES = (
    ("Circular Textiles", "textiles", ("ecological", "social")),
    ("Local Food", "agri-food", ("social", "ecological")),
    ("Sustainable Agriculture", "agri-food", ("ecological", "process")),
    ("Social Economy", "proximity-social-economy", ("social", "governance")),
    ("Inclusive Employment", "proximity-social-economy", ("social", "economic")),
    ("Green Building", "construction", ("green", "technological")),
    ("Clean Energy", "energy-renewables", ("green", "technological")),
    ("Community Energy", "energy-renewables", ("social", "green")),
    ("Digital Inclusion", "digital", ("digital", "social")),
    ("Sustainable Tourism", "tourism", ("ecological", "service")),
    ("Health and Care", "health", ("social", "service")),
    ("Creative Industries", "cultural-creative-industries", ("social", "product")),
    ("Sustainable Mobility", "mobility-transport-automotive", ("green", "technological")),
    ("Repair and Reuse", "retail", ("ecological", "economic")),
    ("Electronics Recycling", "electronics", ("ecological", "technological")),
    ("Green Chemistry", "energy-intensive-industries", ("green", "process")),
    ("Clean Aviation", "aerospace-defence", ("technological", "green")),
)
CLUSTER_WORDS = ("Cluster", "Innovation Cluster", "Cooperation Cluster", "Ecosystem Cluster")
STEM_PARTS = (
    ("Al", "Bel", "Cor", "Dan", "El", "Fen", "Gal", "Hel", "Ir", "Jor", "Kal", "Lum", "Mar", "Nor", "Or"),
    ("a", "e", "i", "o", "u", "ae", "io"),
    ("ra", "via", "nix", "tas", "len", "mor", "sia", "ton", "vel", "dor", "ris", "bel"),
)
NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "social-economy-entity": (
        "{stem} Cooperative",
        "{stem} Social Enterprise",
        "{stem} Work Integration Enterprise",
        "{city} Solidarity Mutual",
    ),
    "mainstream-enterprise": (
        "{stem} Industries",
        "{stem} Technologies",
        "{stem} Logistics",
        "{stem} Engineering",
        "{stem} Foods",
    ),
    "civil-society-organisation": (
        "{stem} Association",
        "{stem} Foundation",
        "{city} Citizens' Network",
        "{city} Youth Network",
    ),
    "public-authority": (
        "City of {city}",
        "{city} Development Agency",
        "{city} Employment Service",
        "{city} Regional Council",
    ),
    "education-research-institution": (
        "University of {city}",
        "{stem} Institute of Technology",
        "{city} Vocational School",
        "{stem} Research Centre",
    ),
}
MEMBER_ROLES = ("member", "member", "member", "member", "founder", "co-founder", "partner")
LABEL_LEVELS = ("bronze", "bronze", "bronze", "silver", "silver", "gold")
# Actions of the built-in data that fund partnerships: slug, start of the name, whether a Eurocluster.
PARTNERSHIP_ACTIONS = (
    ("euroclusters", "Eurocluster for", True),
    ("escp-4x", "European Cluster Partnership for Excellence in", False),
    ("escp-s3", "European Strategic Cluster Partnership for Smart Specialisation in", False),
    ("escp-4i", "European Strategic Cluster Partnership for Going International in", False),
)
ECCP = "platform/eccp"
LABEL_BODY = "organisation/esca"
MAINTAINERS = "csei-graph-maintainers"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
