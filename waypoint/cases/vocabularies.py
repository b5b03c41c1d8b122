"""HTCDS 2.0 value lists used by a case, with labels people read in their language.

The stored values are the HTCDS value names, so an export needs no mapping. The field list spells
one value with a trailing space (`"DebtBondage "`); values are stored without it and `clean_value`
accepts both spellings. Forced-labour industries are stored as the ISIC Rev.4 section letter
(A-U); HTCDS names them `A_AgricultureForestryAndFishing` and so on, which are accepted too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecruitmentMethod(models.TextChoices):
    # vic_MethodOfRecruitment
    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TELEVISION_ADVERT = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class ControlMethod(models.TextChoices):
    # vic_MethodsOfControl
    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of law enforcement")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threatens children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class ExploitationType(models.TextChoices):
    # vic_TypeOfExploitation
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL_EXPLOITATION = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


class SexualExploitationType(models.TextChoices):
    # vic_TypeOfSexExploitation
    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE_INTERACTIVE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE_SEXUAL_SERVICES = "PrivateSexualServices", _("Private sexual services")


class ForcedLabourIndustry(models.TextChoices):
    # vic_ForcedLabourIndustry: ISIC Rev.4 sections.
    AGRICULTURE = "A", _("Agriculture, forestry and fishing")
    MINING = "B", _("Mining and quarrying")
    MANUFACTURING = "C", _("Manufacturing")
    ENERGY_SUPPLY = "D", _("Electricity, gas, steam and air conditioning supply")
    WATER_AND_WASTE = "E", _("Water supply; sewerage, waste management and remediation")
    CONSTRUCTION = "F", _("Construction")
    TRADE_AND_REPAIR = (
        "G",
        _("Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    )
    TRANSPORT_AND_STORAGE = "H", _("Transportation and storage")
    ACCOMMODATION_AND_FOOD = "I", _("Accommodation and food service activities")
    INFORMATION_AND_COMMUNICATION = "J", _("Information and communication")
    FINANCE_AND_INSURANCE = "K", _("Financial and insurance activities")
    REAL_ESTATE = "L", _("Real estate activities")
    PROFESSIONAL_AND_SCIENTIFIC = "M", _("Professional, scientific and technical activities")
    ADMINISTRATIVE_AND_SUPPORT = "N", _("Administrative and support service activities")
    PUBLIC_ADMINISTRATION = "O", _("Public administration and defence; compulsory social security")
    EDUCATION = "P", _("Education")
    HEALTH_AND_SOCIAL_WORK = "Q", _("Human health and social work activities")
    ARTS_AND_RECREATION = "R", _("Arts, entertainment and recreation")
    OTHER_SERVICES = "S", _("Other service activities")
    HOUSEHOLDS_AS_EMPLOYERS = (
        "T",
        _("Activities of households as employers and producers for own use"),
    )
    EXTRATERRITORIAL_ORGANISATIONS = (
        "U",
        _("Activities of extraterritorial organisations and bodies"),
    )


# The HTCDS value names of the ISIC sections, for importers and exports.
HTCDS_INDUSTRY_NAMES: dict[str, str] = {
    "A": "A_AgricultureForestryAndFishing",
    "B": "B_MiningAndQuarrying",
    "C": "C_Manufacturing",
    "D": "D_ElectricityGasSteamAndAirConditioningSupply",
    "E": "E_WaterSupplySewerageWasteManagement",
    "F": "F_Construction",
    "G": "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "H": "H_TransportationAndStorage",
    "I": "I_AccommodationAndFoodServiceActivities",
    "J": "J_InformationAndCommunication",
    "K": "K_FinancialAndInsuranceActivities",
    "L": "L_RealEstateActivities",
    "M": "M_ProfessionalScientificAndTechnicalActivities",
    "N": "N_AdministrativeAndSupportServiceActivities",
    "O": "O_PublicAdministrationAndDefence",
    "P": "P_Education",
    "Q": "Q_HumanHealthAndSocialWorkActivities",
    "R": "R_ArtsEntertainmentAndRecreation",
    "S": "S_OtherServiceActivities",
    "T": "T_ActivitiesOfHouseholdsAsEmployers",
    "U": "U_ActivitiesOfExtraterritorialOrganizations",
}


class PerpetratorRole(models.TextChoices):
    # per_RoleInProcess
    TRAVELLING_PARTNER = "TravellingPartner", _("Travelling partner")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker or travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harboured the person")
    SOLD = "SoldIndividual", _("Sold the person")
    BOUGHT = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLED = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    OTHER = "Other", _("Other")


def clean_value(value: str) -> str:
    """The stored form of an HTCDS value: without the stray spaces some HTCDS files carry."""
    return value.strip()


def industry_section(value: str) -> str:
    """The ISIC section letter for a letter or an HTCDS industry name; '' if it is neither."""
    cleaned = clean_value(value)
    if cleaned in ForcedLabourIndustry.values:
        return cleaned
    by_name = {name: letter for letter, name in HTCDS_INDUSTRY_NAMES.items()}
    return by_name.get(cleaned, "")
