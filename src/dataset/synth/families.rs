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
}

const fn groom(
    name: &'static str,
    topics: &'static [&'static str],
    pace: Pace,
    a: Who,
    script: &'static str,
) -> Family {
    Family { name, grooming: true, hard: false, topics, pace, a, b: Who::Child, script }
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
    Family { name, grooming: false, hard, topics, pace, a, b, script }
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
    ),
    groom(
        "groom_slow_burn_school",
        &["school", "daily"],
        Slow,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~4-8 A:flat.mature+B:kid.shy ~3-6 A:age.ask+B:kid.age ~2-5 \
         A:iso.parents+B:kid.sad|A:iso.check+B:kid.unsure ~2-4 A:sec.tell+B:kid.ok ~1-3 A:move.app+B:kid.app?",
    ),
    groom(
        "groom_fake_teen",
        &["social", "music"],
        Normal,
        Liar,
        "A:greet.social+B:kid.hi ~1-3 A:age.ask+B:kid.age+A:age.claim ~1-3 \
         ( A:flat.looks+B:kid.shy A:iso.friends+B:kid.unsure ) ~0-2 A:move.app+B:kid.app \
         A:photo.ask+B:kid.photo A:photo.push+B:kid.ok?",
    ),
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
         ( A:sec.tell+B:kid.ok A:meet.ask+B:kid.meet ) ~0-2 A:meet_sec.hidden+B:kid.unsure?",
    ),
    groom(
        "groom_bimbel_pickup",
        &["school"],
        Normal,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~2-4 A:age.ask+B:kid.age ~1-3 A:flat.mature+B:kid.shy? \
         A:meet.pickup+B:kid.meet A:meet_sec.hidden+B:kid.unsure|A:sec.tell+B:kid.ok ~0-2 A:move.app+B:kid.app?",
    ),
    groom(
        "groom_mall_meetup",
        &["social", "music"],
        Fast,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi ~1-3 A:flat.looks+B:kid.shy A:age.ask+B:kid.age? ~0-2 \
         A:meet.ask+B:kid.meet A:gift.item+B:kid.thanks? A:sec.tell+B:kid.ok A:move.app+B:kid.app?",
    ),
    groom(
        "groom_subtle_isolation",
        &["school", "daily"],
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
        "A:greet.social+B:kid.hi ~0-2 A:flat.looks+B:kid.shy A:photo.ask+B:kid.photo ~0-2 \
         A:move.app+B:kid.push|A:photo.push+B:kid.push A:thr.expose+B:kid.scared A:thr.block? B:kid.scared?",
    ),
    groom(
        "groom_music_fan",
        &["music"],
        Normal,
        AdultOrUnknown,
        "A:greet.fan+B:kid.hi ~2-5 A:age.ask+B:kid.age ~1-2 A:gift.item+B:kid.thanks A:flat.mature+B:kid.shy? ~0-2 \
         A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok A:move.app+B:kid.app?",
    ),
    groom(
        "groom_football_scout",
        &["football"],
        Normal,
        Adult,
        "A:a.scout_intro+B:kid.hi ~1-3 A:flat.talent+B:kid.shy A:age.ask+B:kid.age ~0-2 A:move.app+B:kid.app \
         A:meet_sec.hidden+B:kid.unsure|A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok?",
    ),
    groom(
        "groom_model_scout",
        &["social"],
        Fast,
        AdultOrUnknown,
        "A:a.model_intro+B:kid.hi A:flat.looks+B:kid.shy A:age.ask+B:kid.age ~0-2 A:photo.ask+B:kid.photo \
         A:sec.tell+B:kid.why A:move.app+B:kid.app?",
    ),
    groom(
        "groom_homework_mentor",
        &["school"],
        Slow,
        AdultOrUnknown,
        "A:a.tutor_offer+B:kid.thanks ~2-5 A:flat.mature+B:kid.shy ~1-3 A:iso.parents+B:kid.sad? \
         A:meet.ask+B:kid.meet A:sec.tell+B:kid.ok A:sec.delete+B:kid.ok?",
    ),
    groom(
        "groom_fast_direct",
        &["social"],
        Fast,
        AdultOrUnknown,
        "A:greet.social+B:kid.hi A:age.ask+B:kid.age A:flat.looks+B:kid.shy? A:move.app+B:kid.app \
         A:photo.ask+B:kid.photo|A:meet.ask+B:kid.meet",
    ),
    groom(
        "groom_lonely_comfort",
        &["daily", "school"],
        Slow,
        AdultOrUnknown,
        "B:kid.sad+A:a.comfort ~1-3 A:iso.only_me+B:kid.ok ~1-3 A:iso.parents+B:kid.sad A:age.ask+B:kid.age? ~1-2 \
         A:sec.tell+B:kid.ok A:meet.ask+B:kid.meet|A:move.app+B:kid.app",
    ),
    groom(
        "groom_streamer_fan",
        &["game"],
        Normal,
        AdultOrUnknown,
        "B:kid.fan+A:a.streamer_thanks ~1-3 A:flat.skill+B:kid.shy A:age.ask+B:kid.age A:gift.game+B:kid.thanks \
         A:move.app+B:kid.app ~0-2 A:sec.tell+B:kid.ok? A:photo.ask+B:kid.photo?",
    ),
    groom(
        "groom_online_romance",
        &["social", "music"],
        Normal,
        Liar,
        "A:greet.social+B:kid.hi ~1-3 A:flat.looks+B:kid.shy ~1-2 A:flat.romance+B:kid.shy A:age.ask+B:kid.age? \
         A:iso.friends+B:kid.unsure? A:sec.tell+B:kid.ok ~0-2 A:meet.ask+B:kid.meet A:iso.guilt+B:kid.unsure?",
    ),
    groom(
        "groom_secret_test",
        &["game", "daily"],
        Normal,
        AdultOrUnknown,
        "~1-3 A:sec.test+B:kid.why A:sec.tell+B:kid.ok A:gift.money+B:kid.thanks|A:gift.pulsa+B:kid.thanks ~0-2 \
         A:sec.delete+B:kid.ok A:photo.ask+B:kid.photo?",
    ),
    groom(
        "groom_guilt_trip",
        &["game"],
        Normal,
        AdultOrUnknown,
        "A:greet.game+B:kid.hi ~1-3 A:gift.game+B:kid.thanks ~1-3 A:photo.ask+B:kid.push A:iso.guilt+B:kid.unsure \
         A:thr.guilt+B:kid.scared A:photo.push?",
    ),
    groom(
        "groom_family_friend",
        &["daily", "school"],
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
        "B:kid.help+A:a.help_account ~0-2 A:age.ask+B:kid.age A:move.app+B:kid.app A:photo.ask+B:kid.photo \
         A:sec.tell+B:kid.ok A:thr.block+B:kid.scared?",
    ),
    // ---- benign, sharing grooming's surface words (hard negatives) ------------------------
    benign(
        "neg_parent_surprise",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:neg.surprise.plan+B:neg.surprise.react ~0-2 A:neg.surprise.secret+B:kid.ok \
         A:neg.surprise.task+B:neg.surprise.react? A:neg.surprise.meet+B:kid.ok ~0-2",
    ),
    benign(
        "neg_sibling_pulsa",
        true,
        &["family", "school"],
        Normal,
        Teen,
        Child,
        "B:neg.sib.ask+A:neg.sib.send A:neg.sib.secret+B:kid.thanks? ~1-3 A:neg.sib.pickup+B:kid.ok?",
    ),
    benign(
        "neg_teen_crush",
        true,
        &["school", "music"],
        Normal,
        Teen,
        Teen,
        "A:neg.crush.open+B:neg.crush.reply ~1-3 A:neg.crush.age+B:neg.crush.age_ans? \
         A:neg.crush.compliment+B:neg.crush.shy ~0-2 A:neg.crush.meet+B:neg.crush.meet_ans A:neg.crush.app+B:kid.ok?",
    ),
    benign(
        "neg_adult_dating",
        true,
        &["adult"],
        Normal,
        Adult,
        Adult,
        "A:neg.date.open+B:neg.date.reply ~1-3 A:neg.date.age+B:neg.date.age_ans? A:neg.date.selfie+B:neg.date.selfie_ans \
         ~0-2 A:neg.date.meet+B:neg.date.meet_ans A:neg.date.app?",
    ),
    benign(
        "neg_tutor_parent_loop",
        true,
        &["school"],
        Normal,
        Adult,
        Child,
        "A:neg.tutor.sched+B:kid.ok ~0-2 A:neg.tutor.parent+B:kid.ok A:neg.tutor.meet+B:neg.tutor.ans ~0-2 \
         A:neg.tutor.praise+B:kid.shy?",
    ),
    benign(
        "neg_gaming_trade_peers",
        true,
        &["game"],
        Fast,
        Teen,
        Teen,
        "A:neg.trade.ask+B:neg.trade.offer ~1-3 A:neg.trade.pay+B:neg.trade.done A:neg.trade.wa+B:kid.ok? ~0-2",
    ),
    benign(
        "neg_support_age_check",
        true,
        &["daily"],
        Fast,
        Adult,
        Teen,
        "B:neg.support.issue+A:neg.support.greet A:neg.support.age+B:neg.support.age_ans \
         A:neg.support.verify+B:neg.support.ok A:neg.support.safety A:neg.support.close+B:neg.support.thanks",
    ),
    benign(
        "neg_news_discussion",
        true,
        &["daily"],
        Normal,
        Adult,
        Adult,
        "A:neg.news.open+B:neg.news.react A:neg.news.detail+B:neg.news.react A:neg.news.detail? \
         B:neg.news.advice+A:neg.news.agree ~0-2",
    ),
    benign(
        "neg_safety_lesson",
        true,
        &["school"],
        Normal,
        Adult,
        Teen,
        "A:neg.lesson.intro A:neg.lesson.point+B:neg.lesson.q A:neg.lesson.point+C:neg.lesson.ack \
         A:neg.lesson.point? A:neg.lesson.close+B:neg.lesson.ack",
    ),
    benign(
        "neg_adult_scam",
        true,
        &["adult"],
        Fast,
        AdultOrUnknown,
        Adult,
        "A:neg.scam.hook+B:neg.scam.doubt A:neg.scam.push+B:neg.scam.doubt A:neg.scam.secret? \
         A:neg.scam.pressure+B:neg.scam.refuse",
    ),
    benign(
        "neg_peer_bullying",
        true,
        &["school"],
        Fast,
        Teen,
        Teen,
        "A:neg.bully.taunt+B:neg.bully.reply A:neg.bully.threat+B:neg.bully.reply ~0-2 A:neg.bully.taunt? \
         C:neg.bully.defend?",
    ),
    benign(
        "neg_class_group_move",
        true,
        &["school"],
        Normal,
        Teen,
        Teen,
        "A:neg.group.move+B:neg.group.ok C:neg.group.ask ~1-3 A:neg.group.link?",
    ),
    benign(
        "neg_family_pickup",
        true,
        &["family"],
        Normal,
        Adult,
        Child,
        "A:neg.pickup.ask+B:neg.pickup.ans ~0-2 A:neg.pickup.where+B:kid.ok A:neg.pickup.safe",
    ),
    benign(
        "neg_coach_team",
        true,
        &["football"],
        Normal,
        Adult,
        Teen,
        "A:neg.coach.sched+B:kid.ok A:neg.coach.praise+B:kid.thanks ~0-2 A:neg.coach.parents+B:kid.ok",
    ),
    // ---- ordinary chat ---------------------------------------------------------------------
    benign("neg_school_chat", false, &["school"], Normal, Teen, Teen, "~5-12"),
    benign("neg_gaming_banter", false, &["game"], Fast, Teen, Teen, "~5-12"),
    benign(
        "neg_friends_hangout",
        false,
        &["daily", "music"],
        Normal,
        Teen,
        Teen,
        "~2-5 A:neg.hang.plan+B:neg.hang.ans ~1-4",
    ),
    benign("neg_music_chat", false, &["music"], Normal, Teen, Teen, "~5-10"),
    benign("neg_football_chat", false, &["football"], Normal, Teen, Teen, "~5-10"),
];

#[cfg(test)]
mod tests {
    use super::super::{lexicon, script};
    use super::*;

    #[test]
    fn every_script_parses_and_names_existing_banks() {
        let mut names = std::collections::HashSet::new();
        for f in FAMILIES {
            assert!(names.insert(f.name), "duplicate family {}", f.name);
            assert!(script::parse(f.script).is_ok(), "{}: {:?}", f.name, script::parse(f.script).err());
            for tok in f.script.split_whitespace().filter(|t| t.contains(':') && !t.starts_with('~')) {
                for beat in tok.trim_end_matches('?').split(['|', '+']) {
                    let bank = beat.split_once(':').map(|(_, b)| b).unwrap_or("");
                    assert!(lexicon::bank(bank).is_some(), "{}: missing bank {bank}", f.name);
                }
            }
            for t in f.topics {
                assert!(lexicon::bank(&format!("small.{t}")).is_some(), "{}: missing topic {t}", f.name);
            }
            assert_eq!(f.name.starts_with("groom_"), f.grooming, "{}", f.name);
        }
        let grooming = FAMILIES.iter().filter(|f| f.grooming).count();
        assert!((18..=24).contains(&grooming), "{grooming} grooming families");
        assert!(FAMILIES.len() - grooming >= 15);
    }
}
