"""Make the illustrative demo voice library: data/demo/voice_items.csv and voice_codebook.csv.

Run from the repository root: ``python tools/make_demo_voice.py``. The output is the same on
every run (fixed seed), and the CSV files are committed, so the app never needs this script.

Every quote below was written by hand for the demo. They are made up, describe no real person
and name no place below local authority level. Each block groups quotes that share a speaker
role, a service, codebook themes and linked indicators. Quotes in blocks with an area are
pinned to that authority (so Oldham has speech and language quotes linked to gld and comm_lang).
"""

# The quotes are data, kept whole on one line each so they read and diff as written.
# ruff: noqa: E501

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

SEED = 20261128
OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

UNDER_5 = ("under 5",)
CHILD = ("5-10",)
TEEN = ("11-15", "16-17")
CARE_LEAVER = ("16-17", "18-21", "18-21", "22-25")
ADULT = ("adult",)


@dataclass(frozen=True)
class Block:
    role: str
    service: str
    age_bands: tuple[str, ...]
    themes: str
    indicators: str
    quotes: tuple[str, ...]
    area_code: str | None = None
    methods: tuple[str, ...] = field(default=())


BLOCKS: tuple[Block, ...] = (
    # ----------------------------------------------------------------- children, early years
    Block(
        "child",
        "early_years",
        UNDER_5,
        "play_and_learning;family_hub_welcome",
        "family_hub_reach_0_4;two_year_takeup",
        (
            "I like the big sand tray and the red bike.",
            "The lady sings the song with the bubbles. I like that one.",
            "My best bit is painting. I made a blue dog.",
            "I go to the baby group with my sister. She is little.",
            "There is a den and I hide in it.",
            "I like snack time. We have bananas.",
        ),
        methods=("participation_group", "feedback_form"),
    ),
    Block(
        "child",
        "early_years",
        UNDER_5,
        "speech_language;play_and_learning",
        "comm_lang;gld",
        (
            "I can say more words now. I say them to my teddy.",
            "We do the talking game with the puppets.",
            "The man with the cards helps me say my sounds.",
            "I know the song about the bus. I sing it loud.",
        ),
        methods=("participation_group",),
    ),
    # ----------------------------------------------------------------- children, early help
    Block(
        "child",
        "early_help",
        CHILD,
        "trusted_relationships;being_listened_to",
        "eh_closed_needs_met",
        (
            "My worker listens to me and she does not rush.",
            "I like it when my worker plays cards with me and we talk.",
            "She remembered my favourite colour. That made me happy.",
            "I can tell him things and he does not get cross.",
            "My worker came to my school and said hello to my teacher.",
            "When I was sad she gave me a worry box to put my worries in.",
            "He explained everything so I was not scared.",
        ),
        methods=("app_statement", "participation_group", "feedback_form"),
    ),
    Block(
        "child",
        "early_help",
        CHILD,
        "being_listened_to;safety",
        "eh_closed_needs_met",
        (
            "Grown ups talk about me but they do not always ask me.",
            "I wanted to say what I think at the meeting but it was too long.",
            "I drew a picture about home so they would know.",
            "I feel safe now because the shouting stopped.",
            "I want my worker to ask me first, not my mum.",
        ),
        methods=("app_statement", "participation_group"),
    ),
    Block(
        "child",
        "early_help",
        CHILD,
        "worker_changes;trusted_relationships",
        "eh_stepup_csc",
        (
            "I had three workers. I did not want a new one again.",
            "My old worker left and nobody told me why.",
            "I had to tell my story again to the new lady.",
            "I liked my worker and then she went to a different job.",
        ),
        methods=("app_statement", "participation_group"),
    ),
    Block(
        "child",
        "early_help",
        CHILD,
        "play_and_learning;education_work",
        "eh_closed_needs_met",
        (
            "Now I go to football club after school and I have friends there.",
            "My reading is getting better. I read to the dog.",
            "Homework club is good because there is toast.",
            "I like school more now because I can sit near the window.",
        ),
        methods=("participation_group", "feedback_form"),
    ),
    Block(
        "child",
        "early_help",
        CHILD,
        "money;health_wellbeing",
        "eh_closed_needs_met",
        (
            "Sometimes there is not enough food at home and my tummy hurts.",
            "We got a new bed and now I sleep better.",
            "Mum worries about money and I worry about mum.",
        ),
        methods=("app_statement",),
    ),
    Block(
        "child",
        "early_help",
        CHILD,
        "stigma;safety",
        "eh_requests",
        (
            "I did not want people at school to know I had a worker.",
            "Some kids said our family was in trouble but we are not.",
            "I was scared to walk to school on my own but now my brother comes.",
        ),
        methods=("app_statement", "participation_group"),
    ),
    # ----------------------------------------------------------------- young people, early help
    Block(
        "young_person",
        "early_help",
        TEEN,
        "being_listened_to;trusted_relationships",
        "eh_closed_needs_met;eh_assessments_timely",
        (
            "She actually listened instead of just writing stuff down.",
            "It helped that we met at the cafe and not in an office.",
            "I only opened up because he was honest with me from day one.",
            "They asked what I wanted to happen, which nobody had done before.",
            "I liked that I could text my worker instead of ringing.",
            "The plan had my words in it, not just theirs.",
        ),
        methods=("interview", "participation_group", "app_statement"),
    ),
    Block(
        "young_person",
        "early_help",
        TEEN,
        "health_wellbeing;waiting_times",
        "eh_assessments_timely;eh_stepup_csc",
        (
            "I waited months for someone to talk to about my anxiety and it got worse.",
            "Getting help for my mental health felt like queuing for nothing.",
            "The counselling at school was the first thing that actually helped.",
            "I stopped going out for a while and nobody noticed until it was bad.",
            "When they finally saw me I had already dropped out of two lessons a day.",
        ),
        methods=("interview", "survey", "app_statement"),
    ),
    Block(
        "young_person",
        "early_help",
        TEEN,
        "stigma;early_help_access",
        "eh_requests",
        (
            "People think having a worker means your parents are bad, and that's not true.",
            "I didn't want to go to the centre in case someone from school saw me.",
            "It should be normal to ask for help before everything falls apart.",
            "If it had been called something else I would have gone sooner.",
        ),
        methods=("survey", "participation_group"),
    ),
    Block(
        "young_person",
        "early_help",
        TEEN,
        "loneliness;digital_access",
        "eh_closed_needs_met",
        (
            "After we moved I didn't know anyone and spent every night on my phone.",
            "We had one laptop between four of us, so homework was a fight.",
            "The youth group gave me somewhere to be on a Friday.",
            "Our phone data ran out so I missed the online sessions.",
        ),
        methods=("survey", "app_statement"),
    ),
    Block(
        "young_person",
        "early_help",
        TEEN,
        "safety;education_work",
        "cin_rereferral",
        (
            "School felt safer once they sorted the bus home.",
            "I was getting into trouble outside school and the mentor helped me stop.",
            "When the support stopped things went back to how they were.",
            "I needed someone to check in after the case closed, even just once.",
        ),
        methods=("interview", "participation_group"),
    ),
    # ----------------------------------------------------------------- care leavers
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "housing;safety",
        "care_leavers_accommodation_19_21",
        (
            "My first flat had damp on every wall and I was scared to complain.",
            "Moving into my own place at eighteen felt like being dropped off a cliff.",
            "The supported lodgings were the best thing, someone there but not on top of me.",
            "I sofa surfed for two months before anyone noticed.",
            "I got the keys on a Friday and nobody was around until Monday.",
            "The hostel was noisy and I didn't feel safe leaving my stuff.",
            "Having a proper tenancy in my own name made me feel grown up in a good way.",
        ),
        methods=("interview", "participation_group", "survey"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "money;housing",
        "care_leavers_accommodation_19_21",
        (
            "Nobody told me how much the gas and electric would be.",
            "The setting up home allowance went on a bed and a fridge and that was it.",
            "I didn't know about council tax until I got a letter saying I owed it.",
            "Budgeting sessions should happen before you move out, not after.",
            "My money came late and I had to choose between food and the meter.",
            "Being told I was exempt from council tax took so much pressure off.",
        ),
        methods=("interview", "survey", "participation_group"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "trusted_relationships;worker_changes",
        "care_leavers_not_in_touch;pathway_plan_timely",
        (
            "I've had five personal advisers and I'm only twenty.",
            "My personal adviser remembers my birthday and texts me, it matters.",
            "Every new worker wants the whole story and I'm tired of telling it.",
            "The one who stayed with me from sixteen to twenty one is the reason I'm okay.",
            "I stopped answering because I didn't know who was on the other end any more.",
            "She kept turning up even when I was rude to her, and I respect that now.",
        ),
        methods=("interview", "participation_group", "app_statement"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "being_listened_to",
        "pathway_plan_timely",
        (
            "My pathway plan was written before I'd even been asked what I wanted.",
            "I want to see my plan and change it, it's my life.",
            "They finally put my goals in my own words and it felt like mine.",
            "Reviews feel like a meeting about me, not with me.",
            "When I said I wanted to stay near my sister they listened.",
        ),
        methods=("participation_group", "survey", "interview"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "loneliness;health_wellbeing",
        "care_leavers_not_in_touch",
        (
            "Christmas on your own in a flat is the loneliest thing.",
            "I went days without speaking to anyone after I left my foster home.",
            "The drop in on a Wednesday is the only time I see people my age.",
            "I didn't want a worker, I wanted a friend, but a worker was a start.",
            "Going from a busy house to silence was harder than I thought.",
            "Having the gym pass got me out of the flat most days.",
        ),
        methods=("interview", "app_statement", "participation_group"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "education_work;money",
        "care_leavers_eet_19_21",
        (
            "I want to go to college but I can't afford to lose my benefits.",
            "The apprenticeship paid less than I needed for rent.",
            "The bursary meant I could stay on my course.",
            "I needed help with the application forms, not just a leaflet.",
            "Someone came with me to the interview and I got the job.",
            "I dropped out in the first term and nobody from the team called.",
            "Work experience with the council showed me I could do an office job.",
        ),
        methods=("survey", "interview", "participation_group"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "moving_on;trusted_relationships",
        "staying_put",
        (
            "Staying with my foster carer after eighteen meant I could finish my exams.",
            "I wanted to stay put but my carers couldn't afford it.",
            "My foster carer still feels like home, even though I'm on paper an adult now.",
            "Nobody explained staying put to me until it was too late.",
            "Being allowed to stay another year made the move feel less scary.",
        ),
        methods=("interview", "participation_group"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "transport;digital_access",
        "care_leavers_eet_19_21;care_leavers_not_in_touch",
        (
            "The bus to college takes an hour and a half each way.",
            "A free bus pass would change everything for me.",
            "My phone got cut off and that's how I lost touch with my worker.",
            "The laptop from the team meant I could apply for jobs properly.",
            "Appointments are always across town and I can't afford the fare.",
        ),
        methods=("survey", "app_statement"),
    ),
    Block(
        "young_person",
        "care_leavers",
        CARE_LEAVER,
        "stigma;language_culture",
        "care_leavers_eet_19_21",
        (
            "People hear care leaver and think you're trouble.",
            "I came here on my own at fifteen and it took years to feel I belonged.",
            "I want workers who understand my religion and my food, not just my paperwork.",
            "I don't tell employers I was in care because of how they look at you.",
            "Having an interpreter for my meetings meant I understood my own plan.",
        ),
        methods=("interview", "participation_group"),
    ),
    # ----------------------------------------------------------------- parents, early years
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "family_hub_welcome;trusted_relationships",
        "family_hub_reach_0_4",
        (
            "The first time I walked into the family hub someone made me a cup of tea and I cried.",
            "Staff there know your name and your baby's name after one visit.",
            "I went for the weighing clinic and ended up staying for the stay and play.",
            "Nobody judged me for turning up in my pyjamas with a screaming baby.",
            "It's the only place I've found where dads are spoken to, not just mums.",
            "They helped me fill in a form without making me feel stupid.",
            "The hub is warm and free and that matters when you're counting every penny.",
        ),
        methods=("feedback_form", "survey", "complaint_compliment"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "family_hub_welcome;early_help_access",
        "family_hub_reach_0_4",
        (
            "I didn't know the hub existed until my health visitor mentioned it.",
            "The leaflets were all in English, so my neighbour had to explain.",
            "Opening hours don't work if you're on shifts.",
            "It would help if there was a group on Saturdays for working parents.",
            "The building looks like an office, you'd never guess it was for families.",
        ),
        methods=("survey", "focus_group", "feedback_form"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "speech_language;waiting_times",
        "slc_waiting_18wk;comm_lang",
        (
            "We waited nearly a year for speech therapy and he started school still not talking much.",
            "The waiting list letter said eighteen weeks, it's been thirty.",
            "By the time we got an appointment I'd already learned most of the tips from videos.",
            "Waiting felt like we were losing time we'd never get back.",
            "They gave us a pack of activities to do while we waited, which helped a bit.",
            "Nobody phoned to say where we were on the list.",
        ),
        methods=("survey", "complaint_compliment", "feedback_form"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "speech_language;language_culture",
        "comm_lang;gld",
        (
            "I was told to speak only English at home and now I know that was wrong advice.",
            "It was a relief to hear that speaking two languages won't hold her back.",
            "The bilingual worker explained things in Urdu and I understood for the first time.",
            "We read stories in Polish at home and in English at nursery, and she loves both.",
            "I worried my son was behind, but they showed me he knows lots of words, in Bengali.",
        ),
        methods=("focus_group", "interview", "survey"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "play_and_learning;money",
        "two_year_takeup;gld",
        (
            "The free hours for two year olds meant I could go back to college.",
            "I didn't think we'd qualify for the funded place, so I never asked.",
            "Nursery has brought him on so much, he shares and he sits for stories now.",
            "The extra charges for lunches and nappies add up even with the free hours.",
            "I wish someone had told me about the two year old offer sooner.",
            "She came out of her shell at nursery, she used to hide behind my legs.",
        ),
        methods=("survey", "feedback_form", "focus_group"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "health_wellbeing;loneliness",
        "family_hub_reach_0_4",
        (
            "After my baby was born I didn't speak to another adult for days.",
            "The baby group was where I made my first friend in this country.",
            "Postnatal depression made every appointment feel impossible.",
            "Meeting other mums who were struggling too made me feel normal.",
            "I'd have been lost without the breastfeeding peer supporter.",
        ),
        methods=("feedback_form", "interview", "survey"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "transport;digital_access",
        "family_hub_reach_0_4;two_year_takeup",
        (
            "Two buses with a pram and a toddler is not a trip, it's an expedition.",
            "Booking sessions online is hard when I only have my phone and little data.",
            "The hub is lovely but there's no bus that goes near it.",
            "Living out in the villages means every appointment is a half day off work.",
            "The text reminders stopped me missing appointments.",
        ),
        methods=("survey", "feedback_form"),
    ),
    # ----------------------------------------------------------------- parents, early help
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "early_help_access;health_wellbeing",
        "eh_requests;eh_assessments_timely",
        (
            "I asked for help three times before anyone came, by then we were in crisis.",
            "Getting help early stopped things getting much worse for us.",
            "I didn't know there was help you could get without social services being involved.",
            "The school made the referral and I'm grateful they did.",
            "I thought asking for help would mean they'd take my kids.",
            "Someone should have picked up on it when he was three, not nine.",
            "From the first phone call to the first visit was just a week.",
        ),
        methods=("interview", "survey", "feedback_form"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "trusted_relationships;being_listened_to",
        "eh_closed_needs_met",
        (
            "She never made me feel like a bad mother, even on my worst days.",
            "For the first time someone asked what I thought would help.",
            "He explained the plan to my son in a way a nine year old could understand.",
            "They treated us like a family, not a case.",
            "The worker came to our house when I couldn't face going out.",
            "I liked that she was straight with me, even when it was hard to hear.",
            "When she left I felt like we were starting from scratch.",
        ),
        methods=("feedback_form", "complaint_compliment", "interview"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "money;housing",
        "eh_closed_needs_met",
        (
            "The food bank voucher got us through a really bad week.",
            "Help with the benefits form meant we finally got what we were entitled to.",
            "We're in temporary accommodation and the kids have no space to do homework.",
            "The damp in our house is making my youngest ill and the landlord won't fix it.",
            "Money advice was the most useful thing, more than any parenting course.",
            "We've been moved three times in a year, the kids keep changing schools.",
            "The winter grant paid for school shoes and a coat.",
        ),
        methods=("interview", "focus_group", "survey"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "stigma;language_culture",
        "eh_requests",
        (
            "In our community people don't talk about needing help, it brings shame.",
            "Having a worker who spoke my language made me trust the service.",
            "The interpreter was a man I knew from the mosque, so I couldn't say everything.",
            "They respected that we pray at certain times and planned visits around it.",
            "I felt judged as a single dad, like they expected me to fail.",
            "My family said I should keep our problems inside the house.",
        ),
        methods=("focus_group", "interview"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "worker_changes;waiting_times",
        "eh_assessments_timely;cin_rereferral",
        (
            "Every time the worker changes we go back to the beginning.",
            "The case was closed and two months later we were back asking again.",
            "We waited six weeks for the assessment and things got worse in the meantime.",
            "I wish the support had tapered off instead of stopping dead.",
            "The new worker hadn't read our file, I had to explain everything again.",
        ),
        methods=("complaint_compliment", "survey", "interview"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "education_work;safety",
        "eh_stepup_csc",
        (
            "Once school and the worker talked to each other, things moved fast.",
            "My daughter was refusing school and the family support got her back in.",
            "I was scared for my son when he started staying out late, they helped us set rules.",
            "When things got more serious they moved us to social care, and that was right.",
            "The parenting group helped me stay calm when the shouting started.",
        ),
        methods=("interview", "feedback_form"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "digital_access;transport",
        "eh_requests",
        (
            "The online referral form kept timing out on my phone.",
            "I couldn't join the video call because the kids needed the laptop for school.",
            "Meeting at the library near us was much easier than going into town.",
            "Not everyone has internet, a phone number you can ring should still be there.",
        ),
        methods=("survey", "complaint_compliment"),
    ),
    Block(
        "parent_carer",
        "early_help",
        ADULT,
        "health_wellbeing;loneliness",
        "eh_closed_needs_met",
        (
            "Looking after a disabled child on your own is exhausting and nobody sees it.",
            "The carers' group was the first time I had an hour just for me.",
            "My own mental health was never asked about, only the children's.",
            "I felt so alone until the worker linked me to other parents.",
            "The short breaks made it possible to keep going.",
        ),
        methods=("focus_group", "survey", "interview"),
    ),
    # ----------------------------------------------------------------- practitioners
    Block(
        "practitioner",
        "early_years",
        ADULT,
        "speech_language;waiting_times",
        "slc_waiting_18wk;comm_lang;gld",
        (
            "We're seeing more two year olds with very few words than before the pandemic.",
            "The speech and language waiting list means we're holding children we can't refer on.",
            "Early talk groups at the hub are filling some of the gap, but they're not therapy.",
            "Nursery staff need training to spot language delay earlier.",
            "Families drop off the waiting list when they move, and nobody follows them up.",
            "Where children get support before reception, we see it in their scores.",
        ),
        methods=("focus_group", "survey", "interview"),
    ),
    Block(
        "practitioner",
        "early_years",
        ADULT,
        "family_hub_welcome;early_help_access",
        "family_hub_reach_0_4;two_year_takeup",
        (
            "The families who most need us are the ones who never walk through the door.",
            "Outreach at the baby clinic brings in families who'd never come otherwise.",
            "We register every new baby but registration isn't the same as reach.",
            "Having health visitors on site at the hub changed who comes in.",
            "The two year offer is under-used by families who don't see themselves as eligible.",
            "A warm welcome at reception does more than any leaflet.",
        ),
        methods=("focus_group", "survey"),
    ),
    Block(
        "practitioner",
        "early_years",
        ADULT,
        "language_culture;play_and_learning",
        "gld;comm_lang",
        (
            "Children with English as an additional language often catch up fast once they settle.",
            "We've started welcome sessions in three community languages.",
            "Parents tell us they were advised to stop using their home language, and we undo that.",
            "Play sessions in the park reach families who find buildings intimidating.",
            "The assessment at the end of reception doesn't always show what bilingual children know.",
        ),
        methods=("focus_group", "interview"),
    ),
    Block(
        "practitioner",
        "early_help",
        ADULT,
        "worker_changes;waiting_times",
        "eh_assessments_timely",
        (
            "Caseloads are so high that assessments slip past the timescale.",
            "When a colleague leaves, their families land on everyone else's list.",
            "Agency staff are good but families notice the turnover.",
            "We lose weeks waiting for consent forms to come back.",
            "Vacancies in the team mean families wait longer for a first visit.",
        ),
        methods=("survey", "focus_group"),
    ),
    Block(
        "practitioner",
        "early_help",
        ADULT,
        "early_help_access;trusted_relationships",
        "eh_requests;eh_closed_needs_met",
        (
            "Most referrals come from schools, we hear very little from health.",
            "Families engage when they trust you, and trust takes time we don't always have.",
            "Closing a case well matters as much as opening it.",
            "Our outcome forms don't capture the small wins that matter to families.",
            "Asking families whether their needs were met at closure should be routine.",
            "The best work happens when one worker stays with the family throughout.",
        ),
        methods=("survey", "interview", "focus_group"),
    ),
    Block(
        "practitioner",
        "early_help",
        ADULT,
        "safety;stigma",
        "eh_stepup_csc;cin_rereferral",
        (
            "Some families come back because the problem was never parenting, it was money.",
            "Stepping up to social care can feel like a failure to families, even when it's right.",
            "We see the same families re-referred because support ends too abruptly.",
            "Domestic abuse is often behind what's referred as behaviour.",
            "Knowing when to step down safely is one of the hardest judgements we make.",
        ),
        methods=("interview", "focus_group"),
    ),
    Block(
        "practitioner",
        "early_help",
        ADULT,
        "housing;money",
        "eh_requests",
        (
            "The cost of living has changed who we see: working families who've never needed us.",
            "Housing problems sit underneath half of our cases.",
            "We spend hours on hold to housing when we should be with families.",
            "Fuel vouchers are a sticking plaster but they keep children warm.",
        ),
        methods=("survey", "focus_group"),
    ),
    Block(
        "practitioner",
        "care_leavers",
        ADULT,
        "housing;education_work",
        "care_leavers_accommodation_19_21;care_leavers_eet_19_21",
        (
            "Suitable accommodation on paper isn't always suitable in reality.",
            "Young people in unstable housing can't hold down work or college.",
            "Ring-fenced apprenticeships with the council are making a difference.",
            "The housing register doesn't recognise what a care leaver needs.",
            "We need more supported lodgings hosts, especially outside the towns.",
            "Being in education at nineteen often depends on whether the first year was stable.",
        ),
        methods=("focus_group", "survey", "interview"),
    ),
    Block(
        "practitioner",
        "care_leavers",
        ADULT,
        "worker_changes;trusted_relationships",
        "care_leavers_not_in_touch;pathway_plan_timely",
        (
            "Pathway plans slip when caseloads rise, and young people notice.",
            "Staying in touch is easy with the ones who want us, hard with the ones who need us.",
            "We count a young person in touch if we've spoken once in the year, that's a low bar.",
            "The young people who drift away are often the ones who moved out of area.",
            "Keeping the same adviser from sixteen is the single biggest thing we could do.",
        ),
        methods=("focus_group", "survey"),
    ),
    Block(
        "practitioner",
        "care_leavers",
        ADULT,
        "moving_on;money",
        "staying_put",
        (
            "Foster carers want to offer staying put but the allowance drops sharply at eighteen.",
            "Staying put works best when it's planned from fifteen, not at the last review.",
            "Some carers need to free the room for younger children, so staying put isn't offered.",
            "Young people who stay put are more likely to be in education at twenty.",
        ),
        methods=("focus_group", "interview"),
    ),
    # ----------------------------------------------------------------- community
    Block(
        "community",
        "early_years",
        ADULT,
        "family_hub_welcome;language_culture",
        "family_hub_reach_0_4",
        (
            "Our mothers' group meets at the mosque, the hub staff came to us and that worked.",
            "If the hub ran sessions at the church hall more families would come.",
            "People here trust the community centre, not council buildings.",
            "The volunteers who speak Punjabi make a huge difference at the baby group.",
            "Newly arrived families don't know what a family hub is.",
        ),
        methods=("focus_group", "participation_group"),
    ),
    Block(
        "community",
        "early_help",
        ADULT,
        "stigma;early_help_access",
        "eh_requests",
        (
            "Families fear that asking for help puts them on a list.",
            "Word of mouth is how people hear about support round here.",
            "We need to talk about early help as something for everyone, not for problem families.",
            "Faith leaders could help if they knew what was on offer.",
            "The food pantry is often the first place families tell someone they're struggling.",
        ),
        methods=("focus_group", "participation_group"),
    ),
    Block(
        "community",
        "early_help",
        ADULT,
        "transport;digital_access;money",
        "eh_requests",
        (
            "Rural families pay for petrol to get to every appointment.",
            "Not everyone can afford a smartphone, and services assume we all have one.",
            "The library's free computers are always booked.",
            "Buses stop at six, so evening groups are no use to us.",
        ),
        methods=("focus_group", "survey"),
    ),
    Block(
        "community",
        "care_leavers",
        ADULT,
        "loneliness;housing",
        "care_leavers_accommodation_19_21",
        (
            "As a mentor I see young people alone in flats with nothing on the walls.",
            "Local landlords would help if someone asked them properly.",
            "The community meal on Sundays has become a family for a few of the care leavers.",
            "Young people leaving care need someone to call at two in the morning.",
        ),
        methods=("focus_group", "interview"),
    ),
    Block(
        "community",
        "early_years",
        ADULT,
        "play_and_learning;safety",
        "gld;family_hub_reach_0_4",
        (
            "The play area near the flats needs fixing, there's glass everywhere.",
            "Free messy play in the summer brought families out who we never see.",
            "Children need safe places to play that aren't someone's front room.",
            "The toy library is a lifeline for families who can't afford new things.",
        ),
        methods=("participation_group", "survey"),
    ),
    # ----------------------------------------------------------------- more voices
    Block(
        "community",
        "early_help",
        ADULT,
        "trusted_relationships;safety",
        "eh_closed_needs_met",
        (
            "As a school governor I see how much a family support worker in the playground matters.",
            "Parents will talk to the lollipop lady before they talk to a professional.",
            "The youth club closed and the kids ended up on the streets after dark.",
            "Our residents' association notices a family struggling long before any service does.",
            "Volunteers can be trusted in ways that staff with lanyards sometimes can't.",
        ),
        methods=("focus_group", "participation_group"),
    ),
    Block(
        "community",
        "care_leavers",
        ADULT,
        "education_work;moving_on",
        "care_leavers_eet_19_21",
        (
            "Small businesses like ours would take on a care leaver with support in the first months.",
            "Young people need a reference, and without family they often don't have one.",
            "Our football club gives free places to young people leaving care, and some now coach.",
        ),
        methods=("focus_group", "interview"),
    ),
    Block(
        "young_person",
        "early_help",
        TEEN,
        "being_listened_to;language_culture",
        "eh_closed_needs_met",
        (
            "I had to translate for my mum at the meeting about me, which was weird.",
            "They asked what I wanted to be called and then actually used it.",
            "My worker didn't assume anything about our culture, she just asked.",
            "The young people's panel made me feel like my opinion counts for something.",
            "I told them the support worked because it was on my terms.",
            "At first I thought it was pointless, but the group became the best part of my week.",
        ),
        methods=("participation_group", "survey", "interview"),
    ),
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "being_listened_to;speech_language",
        "comm_lang;slc_waiting_18wk",
        (
            "I kept saying something wasn't right with his talking and was told to wait and see.",
            "The nursery listened when I said she was different at home, and they were right to.",
            "The therapist asked what words he uses at home before she did any tests.",
            "I wish the report had been written in plain words, I had to look half of it up.",
            "Being given a named contact while we waited made it bearable.",
            "The group sessions were good, but my son needed one to one and we never got it.",
        ),
        methods=("survey", "feedback_form", "complaint_compliment"),
    ),
    # ----------------------------------------------------------------- Oldham: speech and language
    Block(
        "parent_carer",
        "early_years",
        ADULT,
        "speech_language;play_and_learning",
        "gld;comm_lang",
        (
            "The chatter group taught me to talk through everything we do, and then his words came.",
            "Since the speech worker showed me how to follow her lead in play, she's joining words.",
            "The book gifting scheme means we read every night now, it's our favourite time.",
            "Our nursery's language screening picked it up early and she's caught up by reception.",
        ),
        area_code="E08000004",
        methods=("feedback_form", "survey", "interview"),
    ),
    Block(
        "practitioner",
        "early_years",
        ADULT,
        "speech_language;waiting_times",
        "gld;comm_lang;slc_waiting_18wk",
        (
            "Our early language screening at two means children get help long before school.",
            "Every nursery key worker here learned the same talk strategies, and it shows at reception.",
            "The drop-in speech clinic at the family hub has cut waits for simple advice to days.",
            "Bilingual staff at the hub can reassure families that home languages help, not hinder.",
        ),
        area_code="E08000004",
        methods=("focus_group", "interview"),
    ),
    Block(
        "child",
        "early_years",
        UNDER_5,
        "speech_language;play_and_learning",
        "gld;comm_lang",
        (
            "I know lots of words. I know tractor and digger.",
            "We sing the hello song and I say my name in it.",
        ),
        area_code="E08000004",
        methods=("participation_group",),
    ),
)


# ----------------------------------------------------------------------------- codebook

CODEBOOK: tuple[tuple[str, str, str, str], ...] = (
    (
        "trusted_relationships",
        "Trusted relationships",
        "Having a worker or adult who is reliable, honest, stays and knows you.",
        "she never made me feel like a bad mother; the one who stayed with me",
    ),
    (
        "being_listened_to",
        "Being listened to",
        "Being asked, heard and having your own words shape the plan or decision.",
        "they asked what I wanted; my plan had my words in it",
    ),
    (
        "waiting_times",
        "Waiting times",
        "Waiting for an assessment, a service or a therapy, and what happens while waiting.",
        "we waited nearly a year; nobody phoned to say where we were on the list",
    ),
    (
        "speech_language",
        "Speech, language and communication",
        "Children's talking and understanding, speech and language support and advice.",
        "his words came; the talking game with the puppets",
    ),
    (
        "family_hub_welcome",
        "Family Hub welcome",
        "How welcoming, visible and reachable Family Hubs and children's centres are.",
        "someone made me a cup of tea; I didn't know the hub existed",
    ),
    (
        "housing",
        "Housing",
        "Somewhere safe, warm and stable to live, including after leaving care.",
        "damp on every wall; I sofa surfed for two months",
    ),
    (
        "money",
        "Money",
        "Income, debt, benefits, bills and the cost of living.",
        "choose between food and the meter; the winter grant paid for shoes",
    ),
    (
        "loneliness",
        "Loneliness",
        "Isolation and the wish for company, friends and belonging.",
        "Christmas on your own in a flat; I made my first friend at baby group",
    ),
    (
        "language_culture",
        "Language and culture",
        "Home languages, interpreters, faith and culture being understood and respected.",
        "the bilingual worker explained things; they planned visits around prayer",
    ),
    (
        "early_help_access",
        "Getting help early",
        "Knowing about, asking for and getting help before problems grow.",
        "I asked three times; getting help early stopped things getting worse",
    ),
    (
        "stigma",
        "Stigma",
        "Shame, judgement or fear attached to asking for or receiving help.",
        "people hear care leaver and think trouble; it brings shame",
    ),
    (
        "transport",
        "Transport",
        "Getting to services, school, college or work: distance, cost and buses.",
        "two buses with a pram; a free bus pass would change everything",
    ),
    (
        "digital_access",
        "Digital access",
        "Phones, data, devices and online forms and sessions.",
        "the form kept timing out on my phone; our data ran out",
    ),
    (
        "worker_changes",
        "Workers changing",
        "Turnover of workers and advisers and having to retell your story.",
        "I've had five personal advisers; I had to tell my story again",
    ),
    (
        "education_work",
        "Education, training and work",
        "School attendance, college, apprenticeships, jobs and the help to get there.",
        "the bursary meant I could stay on my course; homework club",
    ),
    (
        "health_wellbeing",
        "Health and wellbeing",
        "Physical and mental health of children, young people and parents.",
        "I waited months to talk about my anxiety; the short breaks",
    ),
    (
        "safety",
        "Safety",
        "Feeling and being safe at home, at school and in the community.",
        "I feel safe now; the play area needs fixing",
    ),
    (
        "play_and_learning",
        "Play and learning",
        "Play, early learning, nursery and the activities children enjoy.",
        "I like the big sand tray; nursery has brought him on",
    ),
    (
        "moving_on",
        "Moving on from care",
        "Staying put, leaving foster or residential care and the steps into adult life.",
        "staying put meant I could finish my exams; nobody explained staying put",
    ),
)

# ----------------------------------------------------------------------------- generation

AREAS = ("E08000004", "E08000005", "E10000014", "E06000065")  # Oldham, Rochdale, Hampshire, N Yorks
AREA_WEIGHTS = (28, 24, 26, 22)
ETHNICITIES = ("White", "Asian", "Black", "Mixed", "Other", "not recorded")
# Rough shape of each area's population of children, so voice coverage looks plausible.
ETHNICITY_WEIGHTS = {
    "E08000004": (58, 30, 4, 4, 2, 2),
    "E08000005": (68, 22, 3, 4, 1, 2),
    "E10000014": (84, 4, 2, 5, 1, 4),
    "E06000065": (90, 2, 1, 3, 1, 3),
}
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 10, 31)
AS_OF = date(2026, 11, 28)
REVIEW_DAYS = {"publication": 365, "learning_network": 730, "own_organisation": 1095}
COLUMNS = (
    "demo_id",
    "text",
    "speaker_role",
    "age_band",
    "sex",
    "ethnicity_group",
    "disability",
    "area_code",
    "service",
    "method",
    "collected_on",
    "themes",
    "indicators",
    "consent_scope",
    "consent_date",
    "review_date",
    "moderation_status",
    "deidentified",
)


def _consent_scopes(count: int, rng: random.Random) -> list[str]:
    """About 40% own organisation, 40% learning network, 20% publication, in a shuffled order."""
    publication = round(count * 0.2)
    network = round(count * 0.4)
    scopes = (
        ["publication"] * publication
        + ["learning_network"] * network
        + ["own_organisation"] * (count - publication - network)
    )
    rng.shuffle(scopes)
    return scopes


# Quotes whose words say who is speaking: keep the recorded sex consistent with them.
SEX_FROM_TEXT = {
    "single dad": "male",
    "bad mother": "female",
    "After my baby was born": "female",
    "breastfeeding": "female",
    "Postnatal depression": "female",
    "other mums who were struggling": "female",
    "pyjamas with a screaming baby": "female",
}


def _sex(role: str, text: str, rng: random.Random) -> str:
    drawn = _draw_sex(role, rng)  # always draw, so one hint does not shift every later row
    for snippet, sex in SEX_FROM_TEXT.items():
        if snippet in text:
            return sex
    return drawn


def _draw_sex(role: str, rng: random.Random) -> str:
    if role == "practitioner":
        return rng.choices(("female", "male", "not recorded"), (60, 15, 25))[0]
    return rng.choices(("female", "male", "not recorded"), (48, 44, 8))[0]


def make_items(seed: int = SEED) -> list[dict[str, str]]:
    """Build the demo voice rows: one per hand-written quote, attributes drawn from a seed."""
    rng = random.Random(seed)
    quotes = [(block, text) for block in BLOCKS for text in block.quotes]
    scopes = _consent_scopes(len(quotes), rng)
    span = (LAST_DAY - FIRST_DAY).days
    rows = []
    for (block, text), scope in zip(quotes, scopes, strict=True):
        area = block.area_code or rng.choices(AREAS, AREA_WEIGHTS)[0]
        collected = FIRST_DAY + timedelta(days=rng.randint(0, span))
        consent = collected - timedelta(days=rng.randint(0, 21))
        # Wider scopes are reviewed sooner: publication yearly, the network every two years.
        review = consent + timedelta(days=REVIEW_DAYS[scope])
        recent = (AS_OF - collected).days < 75
        pending = block.area_code is None and (recent or rng.random() < 0.06)
        rows.append(
            {
                "text": text,
                "speaker_role": block.role,
                "age_band": rng.choice(block.age_bands),
                "sex": _sex(block.role, text, rng),
                "ethnicity_group": rng.choices(ETHNICITIES, ETHNICITY_WEIGHTS[area])[0],
                "disability": rng.choices(("yes", "no", "not recorded"), (14, 72, 14))[0],
                "area_code": area,
                "service": block.service,
                "method": rng.choice(block.methods),
                "collected_on": collected.isoformat(),
                "themes": block.themes,
                "indicators": block.indicators,
                "consent_scope": scope,
                "consent_date": consent.isoformat(),
                "review_date": review.isoformat(),
                "moderation_status": "pending" if pending else "approved",
                "deidentified": "true",
            }
        )
    rows.sort(key=lambda row: (row["collected_on"], row["text"]))
    for number, row in enumerate(rows, start=1):
        row["demo_id"] = f"demo-voice-{number:03d}"
    return [{column: row[column] for column in COLUMNS} for row in rows]


def write_csv(path: Path, header: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_csv(OUT_DIR / "voice_items.csv", COLUMNS, make_items())
    codebook = [
        dict(zip(("id", "label", "description", "examples"), row, strict=True)) for row in CODEBOOK
    ]
    write_csv(OUT_DIR / "voice_codebook.csv", ("id", "label", "description", "examples"), codebook)


if __name__ == "__main__":
    main()
