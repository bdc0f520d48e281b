//! Deterministic synthetic hospital profiles, for benchmarks, tests and
//! analysts' what-if studies. Same seed, same profiles, on every platform
//! (SplitMix64, integer arithmetic only).

use std::collections::BTreeMap;

use crate::date::Date;
use crate::profile::{
    Activity, ActivityKind, Entrance, EquipmentCounts, HospitalProfile, Location, Screening, Site,
};

pub use hsm_core::rng::SplitMix64;

/// Uniform integer in `lo..=hi`.
fn pick(g: &mut SplitMix64, lo: u32, hi: u32) -> u32 {
    lo + g.below(u64::from(hi - lo) + 1) as u32
}

/// `true` with probability `percent` / 100.
fn percent(g: &mut SplitMix64, percent: u64) -> bool {
    g.below(100) < percent
}

const CITIES: [&str; 6] = ["郑州市", "洛阳市", "开封市", "南阳市", "新乡市", "安阳市"];

/// `n` synthetic profiles of year-2024 hospitals, some facts deliberately
/// missing (about one in ten of each optional fact).
#[must_use]
pub fn profiles(seed: u64, n: usize) -> Vec<HospitalProfile> {
    let mut g = SplitMix64::new(seed);
    (0..n).map(|i| one(&mut g, i)).collect()
}

fn maybe<T>(g: &mut SplitMix64, v: T) -> Option<T> {
    (!percent(g, 10)).then_some(v)
}

fn one(g: &mut SplitMix64, i: usize) -> HospitalProfile {
    let level = pick(g, 1, 3) as u8;
    let scale = u32::from(level);
    let beds = pick(g, 50, 800 * scale);
    let staff = beds * pick(g, 10, 16) / 10;
    let outpatients = pick(g, 200, 4000 * scale);
    let need = (staff * 3).div_ceil(100).max(beds.div_ceil(20));
    let guards = need * pick(g, 80, 120) / 100;
    let floors = pick(g, 2, 8);
    let wards = beds / 40 + 1;
    let mut activities = Vec::new();
    for kind in ActivityKind::ALL {
        let per_year: u32 = match kind {
            ActivityKind::SituationBulletin => 12,
            ActivityKind::GuardTraining => 2,
            ActivityKind::StaffTraining => 1,
            _ => 4,
        };
        for k in 0..per_year {
            if percent(g, 92) {
                let month = (k * 12 / per_year + pick(g, 0, 12 / per_year - 1)) as u8 + 1;
                let day = pick(g, 1, 28) as u8;
                if let Ok(d) = Date::new(2024, month, day) {
                    activities.push(Activity { kind, date: d });
                }
            }
        }
    }
    let mut entrances = Vec::new();
    for location in Location::ALL {
        if !percent(g, 70) {
            continue;
        }
        let traffic = g_traffic(location, outpatients);
        let daily_traffic = maybe(g, traffic);
        let site = Some([Site::Small, Site::Medium, Site::Large][g.below(3) as usize]);
        let counts = EquipmentCounts {
            xray: Some(pick(g, 0, 3)),
            xray_dual: None,
            walkthrough: Some(pick(g, 0, 6)),
            liquid: Some(pick(g, 0, 3)),
            handheld: Some(pick(g, 0, 6)),
        };
        let equipment = maybe(g, counts);
        entrances.push(Entrance {
            name: None,
            location,
            daily_traffic,
            site,
            equipment,
        });
    }
    let mut facts = BTreeMap::new();
    facts.insert(
        "video_retention_days".to_owned(),
        f64::from(pick(g, 15, 90)),
    );
    facts.insert(
        "monitoring_centre_staff".to_owned(),
        f64::from(pick(g, 1, 3)),
    );
    let mut checks = BTreeMap::new();
    checks.insert("police_room".to_owned(), percent(g, 80));
    checks.insert("one_key_alarm".to_owned(), percent(g, 85));
    let city = CITIES[g.below(CITIES.len() as u64) as usize];
    let n_teams = pick(g, 0, 4);
    let teams: Vec<u32> = (0..n_teams).map(|_| pick(g, 2, 4)).collect();
    let floors_guarded = floors - u32::from(percent(g, 20));
    let wards_guarded = wards - u32::from(percent(g, 20));
    let posts = percent(g, 90);
    let (full, green, bags) = (percent(g, 80), percent(g, 85), percent(g, 85));
    let screening = Screening {
        full: maybe(g, full),
        since: None,
        green_channel: maybe(g, green),
        bag_modes: maybe(g, bags),
    };
    HospitalProfile {
        name: format!("synthetic hospital {i}"),
        city: Some(city.to_owned()),
        county: None,
        level: Some(level),
        medical_staff_on_duty: maybe(g, staff),
        open_beds: maybe(g, beds),
        approved_beds: None,
        daily_outpatient_avg: maybe(g, outpatients),
        guards: maybe(g, guards),
        outpatient_floors: Some(floors),
        outpatient_floors_guarded: maybe(g, floors_guarded),
        inpatient_wards: Some(wards),
        inpatient_wards_guarded: maybe(g, wards_guarded),
        posts_24h: maybe(g, posts),
        patrol_teams: maybe(g, teams),
        entrances: maybe(g, entrances),
        activities: maybe(g, activities),
        screening: Some(screening),
        facts,
        checks,
        reports: None,
    }
}

fn g_traffic(location: Location, outpatients: u32) -> u32 {
    match location {
        Location::Outpatient => outpatients * 3,
        Location::Emergency | Location::Garage => outpatients / 4,
        Location::Inpatient => outpatients / 3,
        Location::Admin => outpatients / 10,
    }
}
