//! The template families: who talks, about what, at what pace, and in which order of beats.
//!
//! Each family is one script (see [`super::script`]) over the phrase banks. Evaluation can hold
//! out whole families to measure generalisation beyond the phrasing a model was trained on.

/// How fast a conversation moves in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pace {
    /// Minutes apart at most, one sitting.
    Fast,
    Normal,
    /// Spread over days: slow-burn grooming builds trust for a long time.
    Slow,
}

/// Who a participant is, to fill `sender_age_band` when a conversation carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Who {
    /// The child of a grooming conversation (band from their age).
    Child,
    /// A teenager (13-17).
    Teen,
    Adult,
    /// An adult the platform may or may not know is one.
    AdultOrUnknown,
    /// An adult who signed up with a false age.
    Liar,
}

/// How the participants stand to each other; picks the terms of address (`{$ck}`: what A calls
/// B, `{$ca}`: what B calls A) so an "om" or a "kak" appears in benign chats as often as in
/// grooming ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rel {
    /// A is older than B and not family (a stranger, a family friend, an online acquaintance).
    Elder,
    /// Friends or classmates of about the same age.
    Peer,
    /// A is B's parent.
    Parent,
    /// A is an aunt, uncle, cousin or grandparent of B.
    Relative,
    /// A is an older sibling of B.
    Sibling,
    /// A is staff: a tutor, coach, teacher, counsellor or support agent.
    Staff,
    /// Two adults.
    Adults,
}

impl Rel {
    pub fn code(self) -> &'static str {
        match self {
            Rel::Elder => "elder",
            Rel::Peer => "peer",
            Rel::Parent => "parent",
            Rel::Relative => "relative",
            Rel::Sibling => "sibling",
            Rel::Staff => "staff",
            Rel::Adults => "adults",
        }
    }
}

/// How A writes, on top of the per-speaker noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Register {
    /// Drawn per speaker like everyone else's (casual most of the time).
    Any,
    /// Full sentences, capitals, no slang (a formal adult, a support agent, a counsellor).
    Formal,
}

pub(super) struct Family {
    pub name: &'static str,
    pub grooming: bool,
    /// Benign but sharing grooming's surface signals.
    pub hard: bool,
    /// Small-talk topics (`small.<topic>` banks); one is picked per conversation.
    pub topics: &'static [&'static str],
    pub pace: Pace,
    pub a: Who,
    pub b: Who,
    pub script: &'static str,
    pub rel: Rel,
    pub register: Register,
    /// Share of this family's conversations that happen in a group chat.
    pub group: f64,
    /// Most participants of a group chat (3 to 5).
    pub group_max: usize,
    /// Drawn from the held-out template pool (see [`super::grammar::Pool`]): these families share
    /// no template with the others, so evaluating on them measures generalisation.
    pub heldout: bool,
}

impl Family {
    /// Sets how often the family happens in a group chat, and how large one gets.
    const fn group(mut self, share: f64, max: usize) -> Family {
        self.group = share;
        self.group_max = max;
        self
    }

    const fn held(mut self) -> Family {
        self.heldout = true;
        self
    }

    const fn rel(mut self, rel: Rel) -> Family {
        self.rel = rel;
        self
    }

    const fn formal(mut self) -> Family {
        self.register = Register::Formal;
        self
    }
}

const fn groom(
    name: &'static str,
    topics: &'static [&'static str],
    pace: Pace,
    a: Who,
    script: &'static str,
) -> Family {
    Family {
        name,
        grooming: true,
        hard: false,
        topics,
        pace,
        a,
        b: Who::Child,
        script,
        rel: Rel::Elder,
        register: Register::Any,
        group: 0.0,
        group_max: 3,
        heldout: false,
    }
}

const fn benign(
    name: &'static str,
    hard: bool,
    topics: &'static [&'static str],
    pace: Pace,
    a: Who,
    b: Who,
    script: &'static str,
) -> Family {
    Family {
        name,
        grooming: false,
        hard,
        topics,
        pace,
        a,
        b,
        script,
        rel: Rel::Peer,
        register: Register::Any,
        group: 0.0,
        group_max: 3,
        heldout: false,
    }
}

use Pace::{Fast, Normal, Slow};
use Who::{Adult, AdultOrUnknown, Child, Liar, Teen};

pub(super) const FAMILIES: &[Family] = &[
    // ---- grooming -------------------------------------------------------------------------
    groom(
        "groom_gamer_diamonds",
        &["game"],
        Normal,
        AdultOrUnknown,
        "A:greet.game+B:kid.hi ~2-5 A:flat.skill+B:kid.shy ~1-3 A:age.ask+B:kid.age ~0-2 \
         A:gift.game+B:kid.thanks|A:gift.game+B:kid.why ~0-2 A:sec.tell+B:kid.ok? A:move.app+B:kid.app ~0-2 \
         A:photo.ask+B:kid.photo|A:meet.ask+B:kid.meet|A:sec.delete+B:kid.ok",
    )
    .group(0.3, 4),
    groom(
        "groom_slow_burn_school",
        &["school", "daily"],
        Slow,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~4-8 A:flat.mature+B:kid.shy ~3-6 A:age.ask+B:kid.age ~2-5 \
         A:iso.parents+B:kid.sad|A:age.check+B:kid.unsure ~2-4 A:sec.tell+B:kid.ok ~1-3 A:move.app+B:kid.app?",
    ),
    groom(
        "groom_fake_teen",
        &["social", "music"],
        Normal,
        Liar,
        "A:greet.social+B:kid.hi ~1-3 A:age.ask+B:kid.age+A:age.claim|A:age.ask+B:kid.age+B:age.kid_ask+A:age.claim ~1-3 \
         ( A:flat.special+B:kid.shy A:iso.friends+B:kid.unsure ) ~0-2 A:move.app+B:kid.app \
         A:photo.ask+B:kid.photo A:photo.push+B:kid.ok?",
    )
    .rel(Rel::Peer),
    groom(
        "groom_pulsa_kuota",
        &["daily", "social"],
        Normal,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~1-3 A:age.ask+B:kid.age ~1-2 A:gift.pulsa+B:kid.thanks ~0-2 \
         A:sec.tell+B:kid.ok ~0-2 A:photo.ask+B:kid.photo|A:move.app+B:kid.app A:sec.delete+B:kid.ok?",
    ),
    groom(
        "groom_ewallet_jajan",
        &["daily"],
        Normal,
        AdultOrUnknown,
        "~1-3 A:gift.money+B:kid.why A:flat.mature+B:kid.shy? ~1-2 A:age.ask+B:kid.age? \
         ( A:sec_gift.tell+B:kid.ok A:meet.ask+B:kid.meet ) ~0-2 A:meet_sec.hidden+B:kid.unsure?",
    ),
    groom(
        "groom_bimbel_pickup",
        &["school"],
        Normal,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~2-4 A:age.ask+B:kid.age ~1-3 A:flat.smart+B:kid.shy? \
         A:meet.pickup+B:kid.meet A:meet_sec.hidden+B:kid.unsure|A:sec.tell+B:kid.ok ~0-2 A:move.app+B:kid.app?",
    ),
    groom(
        "groom_mall_meetup",
        &["social", "music"],
        Fast,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~1-3 A:flat.special+B:kid.shy A:age.ask+B:kid.age? ~0-2 \
         A:meet.ask+B:kid.meet|A:meet.ask+B:neg.crush_meet_ans A:gift.item+B:kid.thanks? A:sec.tell+B:kid.ok \
         A:move.app+B:kid.app?",
    ),
    groom(
        "groom_subtle_isolation",
        &["school", "daily", "family"],
        Slow,
        AdultOrUnknown,
        "~2-5 A:flat.mature+B:kid.shy ~2-4 ( A:iso.only_me+B:kid.ok A:iso.parents+B:kid.sad ) ~1-3 \
         A:sec.soft+B:kid.ok ~1-3 A:iso.soft+B:kid.ok? A:sec.soft?",
    ),
    groom(
        "groom_sextortion_threat",
        &["social"],
        Fast,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~0-2 A:flat.special+B:kid.shy A:photo.ask+B:kid.photo ~0-2 \
         A:move.app+B:kid.push|A:photo.push+B:kid.push A:thr.expose+B:kid.scared|A:thr.expose+B:sec.kid_plea A:thr.block? B:kid.scared?",
    ),
    groom(
        "groom_streamer_fan",
        &["game"],
        Normal,
        AdultOrUnknown,
        "B:kid.fan+A:a.streamer_thanks ~1-3 A:flat.skill+B:kid.shy A:age.ask+B:kid.age A:gift.game+B:kid.thanks \
         A:move.app+B:kid.app ~0-2 A:sec.tell+B:kid.ok? A:photo.ask+B:kid.photo?",
    )
    .group(0.3, 4),
    groom(
        "groom_online_romance",
        &["social", "music"],
        Normal,
        Liar,
        "A:greet.social+B:kid.hi ~1-3 A:flat.special+B:kid.shy|A:flat.special+B:neg.crush_shy ~1-2 \
         A:flat.romance+B:kid.shy A:age.ask+B:kid.age? \
         A:iso.friends+B:kid.unsure? A:sec.tell+B:kid.ok ~0-2 A:meet.ask+B:kid.meet A:iso.guilt+B:kid.unsure?",
    ),
    groom(
        "groom_secret_test",
        &["game", "daily"],
        Normal,
        AdultOrUnknown,
        "~1-3 A:sec.test+B:kid.why A:sec.tell+B:sec.kid_promise A:gift.money+B:kid.thanks|A:gift.pulsa+B:kid.thanks ~0-2 \
         A:sec.delete+B:kid.ok A:photo.ask+B:kid.photo?",
    ),
    groom(
        "groom_family_friend",
        &["daily", "school", "family"],
        Normal,
        Adult,
        "A:a.relative_intro+B:kid.hi ~1-3 A:age.ask+B:kid.age A:flat.mature+B:kid.shy? A:meet.pickup+B:kid.meet \
         A:meet_sec.hidden+B:kid.unsure A:sec.delete+B:kid.ok?",
    ),
    groom(
        "groom_account_help",
        &["game"],
        Fast,
        AdultOrUnknown,
        "B:kid.help+A:a.help_account ~0-2 A:age.ask+B:kid.age|B:age.kid_ask+A:age.claim+A:age.ask+B:kid.age A:move.app+B:kid.app A:photo.ask+B:kid.photo \
         A:sec.tell+B:sec.kid_promise A:thr.block+B:kid.scared|A:thr.block+B:sec.kid_plea?",
    ),
    groom(
        "groom_lonely_comfort",
        &["daily", "school", "family"],
        Slow,
        AdultOrUnknown,
        "B:kid.sad+A:a.comfort ~1-3 A:iso.only_me+B:kid.ok ~1-3 A:iso.parents+B:kid.sad A:age.ask+B:kid.age? ~1-2 \
         A:sec.tell+B:kid.ok A:meet.ask+B:kid.meet|A:move.app+B:kid.app",
    ),
    groom(
        "groom_squad_group",
        &["game"],
        Fast,
        AdultOrUnknown,
        "~2-4 A:flat.group+C:kid.react ~1-3 A:age.group+B:kid.age+C:kid.age? ~1-3 \
         A:gift_move.group+B:kid.thanks|A:gift_move.group+C:kid.thanks ~1-2 A:flat.skill+B:kid.shy? A:move.group_dm+B:kid.app ~0-2",
    )
    .group(1.0, 5),
    groom(
        "groom_child_asks_diamonds",
        &["game"],
        Normal,
        AdultOrUnknown,
        "B:kid.ask_gift+A:gift.cond ~0-2 A:age.ask+B:kid.age A:sec.tell+B:kid.ok ~0-2 A:gift.game+B:kid.thanks? \
         A:photo_gift.cond+B:kid.photo|A:move.app+B:kid.app A:sec.delete+B:kid.ok?",
    ),
    groom(
        "groom_olshop_job",
        &["daily", "social"],
        Normal,
        AdultOrUnknown,
        "A:a.job_offer+B:kid.why ~0-2 A:age.ask+B:kid.age A:gift.money+B:kid.thanks A:move.app+B:kid.app ~0-2 \
         A:sec_gift.tell+B:kid.ok A:meet.ask+B:kid.meet|A:photo.ask+B:kid.photo",
    ),
    groom(
        "groom_esports_recruiter",
        &["game"],
        Normal,
        Adult,
        "A:a.esports_intro+B:kid.hi ~1-2 A:flat.skill+B:kid.shy A:age.ask+B:kid.age A:move.app+B:kid.app ~0-2 \
         A:gift.game+B:kid.thanks? A:meet_sec.hidden+B:kid.unsure|A:photo.ask+B:kid.photo",
    )
    .group(0.3, 4),
    groom(
        "groom_formal_mentor",
        &["school", "football"],
        Slow,
        Adult,
        "A:a.formal_intro+B:kid.hi ~1-2 A:flat.formal+B:kid.shy ~0-2 A:age.formal+B:kid.age ~1-2 \
         A:iso.formal+B:kid.unsure? A:move.formal+B:kid.app A:sec.formal+B:kid.ok A:meet.formal+B:kid.meet|A:photo.formal+B:kid.photo",
    )
    .formal(),
    groom(
        "groom_fake_mentor",
        &["school", "daily"],
        Slow,
        AdultOrUnknown,
        "A:a.mentor_intro+B:kid.hi ~0-2 B:kid.sad+A:a.comfort ~1-2 A:iso.only_me+B:kid.ok A:sec.tell+B:kid.ok ~0-2 \
         A:age.check+B:kid.unsure A:move.app+B:kid.app A:meet.ask+B:kid.meet?",
    ),
    groom(
        "groom_study_group",
        &["school"],
        Normal,
        AdultOrUnknown,
        "~1-3 B:kid.hw_ask+A:a.tutor_offer ~1-2 A:flat.smart+B:kid.shy C:kid.react? ~0-2 A:age.group+B:kid.age? \
         A:move.group_dm+B:kid.app A:gift.money+B:kid.why|A:meet.ask+B:kid.meet",
    )
    .group(1.0, 4),
    groom(
        "groom_tournament_sponsor",
        &["game"],
        Normal,
        Adult,
        "~1-3 A:a.esports_intro+C:kid.react ~1-2 A:flat.group+B:kid.shy ~0-2 A:age.group+B:kid.age+C:kid.age? \
         A:gift_move.group+B:kid.thanks ~1-2 A:move.group_dm+B:kid.app A:meet.ask+B:kid.meet?",
    )
    .group(1.0, 5),
    groom(
        "groom_class_alumni",
        &["school", "social"],
        Normal,
        AdultOrUnknown,
        "~1-3 A:a.tutor_offer+C:kid.react ~1-2 A:flat.smart+B:kid.shy A:age.group+B:kid.age? ~0-2 \
         A:gift.pulsa+B:kid.thanks|A:gift_move.group+B:kid.thanks A:move.group_dm+B:kid.app ~0-2",
    )
    .group(1.0, 4),
    // Training counterparts of the held-out guilt trip's move: a gift turned into a debt
    // ("u took the pass, so now u listen to me"). Without them the training three quarters of
    // that bank were never drawn, and coercion by obligation was a move the heads never saw.
    groom(
        "groom_debt_trap",
        &["daily", "social"],
        Normal,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~1-3 A:gift.pulsa+B:kid.thanks|A:gift.money+B:kid.thanks ~0-2 A:flat.special+B:kid.shy? \
         A:sec.tell+B:kid.ok A:thr.guilt+B:kid.scared|A:thr.guilt+B:sec.kid_plea A:move.app+B:kid.app?",
    ),
    groom(
        "groom_gamer_debt",
        &["game"],
        Fast,
        AdultOrUnknown,
        "~1-2 A:flat.skill+B:kid.shy A:gift.game+B:kid.thanks ~0-2 A:move.app+B:kid.app A:age.ask+B:kid.age? \
         A:thr.guilt+B:kid.scared|A:thr.guilt+B:sec.kid_plea A:meet.ask+B:kid.meet?",
    ),
    // ---- grooming, held out (own template pool) --------------------------------------------
    groom(
        "groom_music_fan",
        &["music"],
        Normal,
        AdultOrUnknown,
        "A:greet.fan+B:kid.hi ~2-5 A:age.ask+B:kid.age ~1-2 A:gift.item+B:kid.thanks A:flat.special+B:kid.shy? ~0-2 \
         A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok A:move.app+B:kid.app?",
    )
    .held(),
    groom(
        "groom_football_scout",
        &["football"],
        Normal,
        Adult,
        "A:a.scout_intro+B:kid.hi ~1-3 A:flat.talent+B:kid.shy A:age.ask+B:kid.age ~0-2 A:move.app+B:kid.app \
         A:meet_sec.hidden+B:kid.unsure|A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok?",
    )
    .held(),
    groom(
        "groom_guilt_trip",
        &["game"],
        Normal,
        AdultOrUnknown,
        "A:greet.game+B:kid.hi ~1-3 A:gift.game+B:kid.thanks ~1-3 A:photo.ask+B:kid.push A:iso.guilt+B:kid.unsure \
         A:thr.guilt+B:kid.scared|A:thr.guilt+B:sec.kid_plea A:photo.push?",
    )
    .held(),
    groom(
        "groom_fan_group",
        &["music"],
        Normal,
        AdultOrUnknown,
        "~2-4 A:greet.fan+C:kid.react ~1-3 A:gift_move.group+B:kid.thanks A:age.group+B:kid.age+C:kid.age? ~0-2 \
         A:flat.special+B:kid.shy? A:move.group_dm+B:kid.app A:meet.ask+B:kid.meet?",
    )
    .group(1.0, 5)
    .held(),
    groom(
        "groom_homework_mentor",
        &["school"],
        Slow,
        AdultOrUnknown,
        "A:a.tutor_offer+B:kid.thanks ~2-5 A:flat.mature+B:kid.shy ~1-3 A:iso.parents+B:kid.sad? \
         A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok A:sec.delete+B:kid.ok?",
    )
    .held(),
    groom(
        "groom_fast_direct",
        &["social"],
        Fast,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi A:age.ask+B:kid.age|A:age.ask+B:kid.age+B:age.kid_ask A:flat.special+B:kid.shy? \
         A:move.app+B:kid.app \
         A:photo.ask+B:kid.photo|A:meet.ask+B:kid.meet",
    )
    .held(),
    // ---- benign with grooming's moves in innocent contexts (hard negatives) ---------------
    // Their lines carry the stage labels of what they express: the parent's surprise is secrecy,
    // the sibling's top-up is gifts_money. Telling them from grooming is the conversation head's
    // job (who says it to whom, explained or not, two-sided or not).
    benign(
        "neg_parent_surprise",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:neg.surprise_plan+B:neg.surprise_react ~0-2 A:sec.surprise+B:kid.ok|A:sec.surprise+B:sec.kid_promise \
         A:neg.surprise_task+B:neg.surprise_react? A:meet.surprise+B:kid.ok ~0-2",
    )
    .rel(Rel::Parent),
    benign(
        "neg_sibling_pulsa",
        true,
        &["family", "school"],
        Normal,
        Teen,
        Child,
        "B:neg.sib_ask+A:gift.sib|B:kid.ask_gift+A:gift_sec.sib A:sec.sib+B:kid.thanks? ~1-3 A:meet.sib_pickup+B:kid.ok? \
         A:thr.sib+B:kid.why?",
    )
    .rel(Rel::Sibling),
    benign(
        "neg_teen_crush",
        true,
        &["school", "music", "social"],
        Normal,
        Teen,
        Teen,
        "A:neg.crush_open+B:neg.crush_reply|A:greet.social+B:kid.hi ~1-3 A:age.peer+B:neg.crush_age_ans|B:age.kid_ask+A:neg.crush_age_ans? \
         A:flat.peer+B:neg.crush_shy|A:flat.special+B:kid.shy ~0-2 A:meet.peer+B:neg.crush_meet_ans|A:meet.peer+B:kid.meet \
         A:move.peer+B:kid.app?",
    ),
    benign(
        "neg_adult_dating",
        true,
        &["adult"],
        Normal,
        Adult,
        Adult,
        "A:neg.date_open+B:neg.date_reply ~1-3 A:age.date+B:neg.date_age_ans? A:flat.date+B:neg.crush_shy? \
         A:photo.date+B:neg.date_selfie_ans ~0-2 A:meet.date+B:neg.date_meet_ans A:move.date+B:kid.app?",
    )
    .rel(Rel::Adults),
    benign(
        "neg_tutor_parent_loop",
        true,
        &["school"],
        Normal,
        Adult,
        Child,
        "A:neg.tutor_sched+B:kid.ok|A:neg.tutor_sched+B:kid.why ~0-2 A:neg.tutor_parent+B:kid.ok \
         A:meet.tutor+B:neg.tutor_ans|A:meet.tutor+B:kid.meet ~0-2 A:flat.coach+B:kid.shy|A:flat.smart+B:kid.shy?",
    )
    .rel(Rel::Staff),
    benign(
        "neg_gaming_trade_peers",
        true,
        &["game"],
        Fast,
        Teen,
        Teen,
        "A:neg.trade_ask+B:neg.trade_offer ~1-3 A:neg.trade_pay+B:gift.peer_done A:move.team+B:kid.app? ~0-2 \
         A:flat.skill+B:kid.shy?",
    )
    .group(0.2, 4)
    .held(),
    benign(
        "neg_peer_trade_secret",
        true,
        &["game"],
        Normal,
        Teen,
        Teen,
        "A:neg.trade_ask+B:neg.trade_offer ~0-2 B:sec.peer+A:kid.ok A:gift.peer+B:kid.thanks? ~1-2 A:sec.peer?",
    ),
    benign(
        "neg_support_age_check",
        true,
        &["daily"],
        Fast,
        Adult,
        Teen,
        "B:neg.support_issue+A:neg.support_greet A:age.support+B:neg.support_age_ans \
         A:neg.support_verify+B:neg.support_ok A:neg.support_safety A:move.support? A:neg.support_close+B:neg.support_thanks",
    )
    .rel(Rel::Staff)
    .formal(),
    benign(
        "neg_news_discussion",
        true,
        &["adult"],
        Normal,
        Adult,
        Adult,
        "A:neg.news_open+B:neg.news_react A:neg.news_detail+B:neg.news_react A:neg.news_detail? \
         B:neg.news_advice+A:neg.news_agree ~0-2",
    )
    .rel(Rel::Adults)
    .group(0.2, 4),
    benign(
        "neg_safety_lesson",
        true,
        &["school"],
        Normal,
        Adult,
        Teen,
        "A:neg.lesson_intro A:neg.lesson_point+B:neg.lesson_q A:neg.lesson_point+C:neg.lesson_ack \
         A:neg.lesson_point? A:neg.lesson_close+B:neg.lesson_ack ~0-2",
    )
    .rel(Rel::Staff)
    .group(1.0, 5)
    .formal(),
    benign(
        "neg_adult_scam",
        true,
        &["adult"],
        Fast,
        AdultOrUnknown,
        Adult,
        "A:gift.scam_prize+B:neg.scam_doubt A:neg.scam_push+B:neg.scam_doubt A:sec.scam? \
         A:neg.scam_pressure+B:neg.scam_refuse|A:thr.scam+B:neg.scam_refuse",
    )
    .rel(Rel::Adults),
    benign(
        "neg_peer_bullying",
        true,
        &["school"],
        Fast,
        Teen,
        Teen,
        "A:neg.bully_taunt+B:neg.bully_reply|A:neg.bully_taunt+B:kid.push A:thr.peer+B:neg.bully_reply|A:thr.peer+B:kid.scared|A:thr.peer+B:sec.kid_plea \
         ~0-2 A:neg.bully_taunt? C:neg.bully_defend? A:iso.friends+B:kid.sad?",
    )
    .group(0.5, 4),
    benign(
        "neg_class_group_move",
        true,
        &["school"],
        Normal,
        Teen,
        Teen,
        "A:move.class_group+B:neg.group_ok|A:move.class_group+B:kid.app C:neg.group_ask ~1-3 A:neg.group_link? \
         A:age.group+B:kid.age?",
    )
    .group(1.0, 5),
    benign(
        "neg_family_pickup",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:meet.parent+B:neg.pickup_ans ~0-2 A:neg.pickup_where+B:kid.ok A:neg.pickup_safe",
    )
    .rel(Rel::Parent),
    benign(
        "neg_coach_team",
        true,
        &["football"],
        Normal,
        Adult,
        Teen,
        "A:meet.coach+B:kid.ok A:flat.coach+B:kid.thanks|A:flat.talent+B:kid.shy ~0-2 A:neg.coach_parents+B:kid.ok \
         A:photo.peer+B:kid.ok?",
    )
    .rel(Rel::Staff)
    .group(0.3, 5),
    benign(
        "neg_counsellor_confidential",
        true,
        &["school", "daily"],
        Normal,
        Adult,
        Teen,
        "B:neg.counsel_open+A:neg.counsel_greet A:sec.counsel+B:kid.ok|A:sec.counsel+B:kid.unsure \
         A:age.counsel+B:kid.age ~0-2 A:iso.counsel+B:kid.sad A:neg.counsel_refer+B:neg.counsel_thanks?",
    )
    .rel(Rel::Staff)
    .formal(),
    benign(
        "neg_group_surprise",
        true,
        &["school", "daily", "social"],
        Normal,
        Teen,
        Teen,
        "A:neg.bday_plan+C:neg.surprise_react ~0-2 A:sec.surprise+B:kid.ok A:gift.collect+D:kid.ok? ~0-2 \
         A:meet.surprise+B:neg.hang_ans|A:meet_sec.surprise+B:kid.meet",
    )
    .group(1.0, 5),
    benign(
        "neg_cousin_homework",
        true,
        &["school", "family"],
        Normal,
        Teen,
        Child,
        "B:kid.hw_ask+A:neg.cousin_help ~1-3 A:flat.relative+B:kid.shy A:meet.relative+B:kid.ok? A:neg.cousin_parent",
    )
    .rel(Rel::Relative),
    benign(
        "neg_marketplace_cod",
        true,
        &["adult"],
        Fast,
        Adult,
        Adult,
        "A:neg.cod_ask+B:neg.cod_ans ~0-2 A:move.date+B:kid.ok? A:meet.cod+B:neg.cod_ans A:neg.cod_pay",
    )
    .rel(Rel::Adults),
    benign(
        "neg_esports_team",
        true,
        &["game"],
        Normal,
        Teen,
        Teen,
        "A:neg.team_invite+B:neg.team_ans|A:greet.game+B:kid.hi A:age.peer+B:kid.age ~0-2 A:move.team+B:kid.app \
         A:flat.skill+B:kid.shy|A:flat.group+C:kid.react? A:meet.peer+B:neg.crush_meet_ans|A:meet.peer+B:kid.meet?",
    )
    .group(0.6, 5),
    benign(
        "neg_parent_checkin",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:neg.checkin_ask+B:neg.checkin_ans A:photo.parent+B:kid.ok|A:photo.parent+B:kid.photo ~0-2 \
         A:meet.parent+B:kid.ok A:gift.parent+B:kid.thanks? A:age.check+B:kid.unsure?",
    )
    .rel(Rel::Parent),
    benign(
        "neg_streamer_community",
        true,
        &["game", "social"],
        Normal,
        Teen,
        Teen,
        "B:kid.fan+A:a.streamer_thanks ~1-3 A:flat.skill+B:kid.shy? A:move.team+B:kid.app ~0-2 \
         A:gift_move.group+C:kid.thanks? A:age.group+B:kid.age?",
    )
    .group(0.4, 5),
    benign(
        "neg_study_group",
        true,
        &["school", "social"],
        Normal,
        Teen,
        Teen,
        "~1-2 B:kid.hw_ask+A:a.tutor_offer ~1-2 A:flat.peer+B:kid.shy|A:flat.smart+B:kid.shy C:kid.react? \
         A:move.peer+B:kid.app? A:meet.peer+B:neg.hang_ans ~0-2",
    )
    .group(0.7, 4),
    benign(
        "neg_friend_comfort",
        true,
        &["school", "daily", "social"],
        Slow,
        Teen,
        Teen,
        "B:kid.sad+A:a.comfort ~1-2 A:iso.peer+B:kid.ok ~0-2 A:sec.gossip+B:kid.ok? A:meet.peer+B:kid.meet \
         A:iso.only_me+B:kid.ok?",
    ),
    benign(
        "neg_family_friend_lift",
        true,
        &["family", "daily"],
        Normal,
        Adult,
        Child,
        "A:a.relative_intro+B:kid.hi A:meet.pickup+B:kid.unsure A:neg.lift_confirm+B:neg.lift_ans ~0-2 \
         A:age.relative+B:kid.age? A:neg.pickup_safe?",
    )
    .rel(Rel::Relative),
    benign(
        "neg_academy_trial",
        true,
        &["football"],
        Normal,
        Adult,
        Teen,
        "A:a.scout_intro+B:kid.hi ~0-2 A:flat.talent+B:kid.shy A:age.support+B:kid.age A:neg.trial_info+B:kid.ok \
         A:meet.coach+B:kid.meet ~0-2 A:neg.coach_parents+B:kid.ok?",
    )
    .rel(Rel::Staff)
    .formal(),
    benign(
        "neg_fan_friends",
        true,
        &["music", "social"],
        Normal,
        Teen,
        Teen,
        "A:greet.fan+B:kid.hi ~1-3 A:age.peer+B:neg.crush_age_ans? A:gift.peer+B:kid.thanks? ~0-2 \
         A:meet.peer+B:neg.crush_meet_ans A:move.peer+B:kid.app?",
    )
    .group(0.4, 4),
    // ---- benign hard negatives, held out (own template pool) ------------------------------
    benign(
        "neg_aunt_thr",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:neg.aunt_greet+B:neg.aunt_reply A:gift.relative+B:kid.thanks A:age.relative+B:kid.age|A:age_flat.relative+B:kid.shy \
         ~0-2 A:flat.relative+B:kid.shy? A:sec_gift.relative+B:kid.ok? ~0-2",
    )
    .rel(Rel::Relative)
    .held(),
    benign(
        "neg_teen_date",
        true,
        &["school", "music", "social"],
        Normal,
        Teen,
        Teen,
        "A:neg.crush_open+B:neg.crush_reply|A:greet.social+B:kid.hi ~1-2 A:flat.peer+B:neg.crush_shy|A:flat.romance+B:kid.shy \
         A:meet.peer+B:neg.crush_meet_ans|A:meet.peer+B:kid.meet ~0-2 A:age.peer+B:neg.crush_age_ans? \
         A:sec.gossip+B:kid.ok? A:move.peer+B:kid.app?",
    )
    .held(),
    benign(
        "neg_family_scam_number",
        true,
        &["family"],
        Fast,
        AdultOrUnknown,
        Adult,
        "A:move.scam_number+B:neg.scam_doubt|A:move.scam_number+B:kid.unsure A:neg.scam_family_story+B:neg.scam_doubt \
         A:neg.scam_family_ask A:sec.scam+B:neg.scam_refuse|A:neg.scam_pressure+B:neg.scam_refuse|A:thr.scam+B:neg.scam_refuse",
    )
    .rel(Rel::Parent)
    .held(),
    benign(
        "neg_peer_gossip_threat",
        true,
        &["school", "social", "game"],
        Fast,
        Teen,
        Teen,
        "A:neg.gossip_open+B:neg.bully_reply A:sec.gossip+B:sec.kid_promise ~0-2 B:thr.peer+A:neg.bully_reply \
         A:thr.peer? C:neg.bully_defend?",
    )
    .group(0.4, 4)
    .held(),
    benign(
        "neg_grandparent_call",
        true,
        &["family"],
        Slow,
        Adult,
        Child,
        "A:neg.grandma_greet+B:kid.hi A:photo.grandma+B:kid.ok|A:photo.grandma+B:kid.photo A:age_flat.relative+B:kid.age? \
         ~0-2 A:gift.relative+B:kid.thanks A:meet.relative+B:kid.ok|A:meet.relative+B:kid.meet?",
    )
    .rel(Rel::Relative)
    .held(),
    // Training counterparts of held-out hard negatives: every stage bank a held-out family draws
    // on is drawn by a training family too, so the held-out families meet unseen phrasings of
    // kinds of chat the heads know (a relative's money and photo requests, a scam from a
    // "new number", a finished peer trade), as the module documentation says they do.
    benign(
        "neg_relative_eid_money",
        true,
        &["family"],
        Slow,
        Adult,
        Child,
        "~1-2 A:gift.relative+B:kid.thanks A:age_flat.relative+B:kid.shy|A:age.relative+B:kid.age \
         A:sec_gift.relative+B:kid.ok? A:meet.relative+B:kid.ok? ~0-2",
    )
    .rel(Rel::Relative),
    benign(
        "neg_relative_photo",
        true,
        &["family", "school"],
        Normal,
        Adult,
        Child,
        "~1-2 A:photo.grandma+B:kid.ok|A:photo.grandma+B:kid.photo ~0-2 A:age_flat.relative+B:kid.shy? \
         A:gift.relative+B:kid.thanks? A:meet.relative+B:kid.meet?",
    )
    .rel(Rel::Relative),
    benign(
        "neg_scam_parent_number",
        true,
        &["family", "daily"],
        Fast,
        AdultOrUnknown,
        Teen,
        "A:move.scam_number+B:kid.unsure A:neg.scam_push+B:neg.scam_doubt ~0-1 A:sec.scam? \
         A:neg.scam_pressure+B:neg.scam_refuse|A:thr.scam+B:neg.scam_refuse",
    )
    .rel(Rel::Parent),
    benign(
        "neg_peer_trade_done",
        true,
        &["game"],
        Fast,
        Teen,
        Teen,
        "A:neg.trade_ask+B:neg.trade_offer ~0-2 A:gift.peer+B:kid.thanks|B:gift.peer_done+A:kid.ok A:sec.peer? ~1-2",
    ),
    // ---- ordinary chat ---------------------------------------------------------------------
    benign("neg_school_chat", false, &["school", "social"], Normal, Teen, Teen, "A:greet.social+B:kid.hi? ~5-12")
        .group(0.15, 4),
    benign("neg_gaming_banter", false, &["game"], Fast, Teen, Teen, "A:greet.game+B:kid.hi? ~5-12").group(0.25, 5),
    benign(
        "neg_friends_hangout",
        false,
        &["daily", "music", "social"],
        Normal,
        Teen,
        Teen,
        "~2-5 A:meet.peer+B:neg.hang_ans ~1-4",
    )
    .group(0.2, 4),
    benign("neg_football_chat", false, &["football"], Normal, Teen, Teen, "~5-10").held(),
    benign("neg_family_group", false, &["family"], Normal, Adult, Teen, "~4-10").rel(Rel::Parent).group(1.0, 5),
    benign("neg_music_chat", false, &["music"], Normal, Teen, Teen, "~5-10").held(),
    benign("neg_adult_work_chat", false, &["adult"], Normal, Adult, Adult, "~5-10").rel(Rel::Adults).held(),
];

/// The families whose templates are drawn from the held-out pool.
pub(super) fn heldout() -> impl Iterator<Item = &'static Family> {
    FAMILIES.iter().filter(|f| f.heldout)
}

#[cfg(test)]
mod tests {
    use super::super::{lexicon, script};
    use super::*;

    /// Every bank a family's script names, as the generator parses it (small talk aside).
    fn banks(f: &Family) -> Vec<&'static str> {
        fn walk(nodes: &[script::Node], out: &mut Vec<&'static str>) {
            for node in nodes {
                match node {
                    script::Node::Unit { alts, .. } => out.extend(alts.iter().flatten().map(|&(_, bank)| bank)),
                    script::Node::Shuffle(group) => walk(group, out),
                    script::Node::Small { .. } => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&script::parse(f.script).unwrap_or_else(|e| panic!("{}: {e}", f.name)), &mut out);
        out
    }

    #[test]
    fn every_script_parses_and_names_existing_banks() {
        let mut names = std::collections::HashSet::new();
        for f in FAMILIES {
            assert!(names.insert(f.name), "duplicate family {}", f.name);
            assert!(script::parse(f.script).is_ok(), "{}: {:?}", f.name, script::parse(f.script).err());
            for bank in banks(f) {
                assert!(lexicon::bank(bank).is_some(), "{}: missing bank {bank}", f.name);
            }
            for t in f.topics {
                assert!(lexicon::bank(&format!("small.{t}")).is_some(), "{}: missing topic {t}", f.name);
            }
            assert_eq!(f.name.starts_with("groom_"), f.grooming, "{}", f.name);
        }
        let grooming = FAMILIES.iter().filter(|f| f.grooming).count();
        assert!((24..=36).contains(&grooming), "{grooming} grooming families");
        assert!(FAMILIES.len() - grooming >= 25);
        // A meaningful held-out set: several families of each label, of varied kinds.
        let held = |g: bool| heldout().filter(|f| f.grooming == g).count();
        assert!(held(true) >= 5 && held(false) >= 5, "held out: {} grooming, {} benign", held(true), held(false));
        assert!(heldout().any(|f| f.group > 0.0 && f.grooming), "no held-out grooming group chat");
        // Group chats in both labels, so the number of participants is no cue.
        for g in [true, false] {
            assert!(FAMILIES.iter().any(|f| f.grooming == g && f.group >= 1.0), "grooming={g}: no group family");
        }
        for f in FAMILIES {
            assert!((3..=5).contains(&f.group_max), "{}: group_max {}", f.name, f.group_max);
            // Beats of a speaker the chat does not have are skipped, so a family that names C
            // must sometimes be a group chat.
            if f.script.contains("C:") || f.script.contains("D:") || f.script.contains("E:") {
                assert!(f.group > 0.0, "{}: a third speaker but never a group chat", f.name);
            }
        }
    }

    /// Held-out families meet unseen phrasings, not unseen kinds of move: every stage bank one of
    /// them draws on is drawn by a training family too (its other three quarters), so scores on
    /// them measure generalisation to new wording of what the heads were taught.
    #[test]
    fn every_stage_bank_of_a_held_out_family_is_also_trained_on() {
        let stage_banks = |f: &Family| banks(f).into_iter().filter(|b| !lexicon::stages_of(b).is_empty());
        let trained: std::collections::HashSet<&str> =
            FAMILIES.iter().filter(|f| !f.heldout).flat_map(stage_banks).collect();
        let unseen: Vec<String> = heldout()
            .flat_map(|f| stage_banks(f).filter(|b| !trained.contains(b)).map(move |b| format!("{}: {b}", f.name)))
            .collect();
        assert!(unseen.is_empty(), "stage banks only held-out families draw on: {unseen:?}");
    }
}
