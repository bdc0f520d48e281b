//! The remediation forms of 豫卫医函〔2024〕10号: 附件2 (自查发现问题整改落实
//! 情况表, self-check) and 附件3 (抽查发现问题整改落实情况表, inspection),
//! filled from evaluation findings.
//!
//! One row per `gap` finding (the problem: requirement, actual, shortfall,
//! clause). A hospital with no gap gets one row whose problem is "无", as
//! the forms' note asks. `unknown` findings are not problems found and are
//! left out (they are listed by the evaluation). The planned or required
//! remediation date is left blank for the hospital or inspector to fill;
//! "是否已整改到位" is "否" for every open gap.

use serde::Serialize;

use crate::evaluate::{Evaluation, Status};

/// Which form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// 附件2: self-check (due 06-25).
    SelfCheck,
    /// 附件3: inspection / spot check (due 09-25).
    Inspection,
}

impl Form {
    /// Parses `self-check` or `inspection`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Form> {
        match s {
            "self-check" => Some(Form::SelfCheck),
            "inspection" => Some(Form::Inspection),
            _ => None,
        }
    }
    /// The attachment number.
    #[must_use]
    pub const fn annex(self) -> &'static str {
        match self {
            Form::SelfCheck => "附件2",
            Form::Inspection => "附件3",
        }
    }
    /// The form's title as printed.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Form::SelfCheck => "自查发现问题整改落实情况表",
            Form::Inspection => "抽查发现问题整改落实情况表",
        }
    }
    /// Column headers as printed.
    #[must_use]
    pub const fn headers(self) -> [&'static str; 6] {
        match self {
            Form::SelfCheck => [
                "医疗机构全称",
                "医疗机构级别（一、二、三级及其他）",
                "登记执业地点所市县（市、区）",
                "自查发现问题",
                "计划整改到位时间",
                "是否已整改到位",
            ],
            Form::Inspection => [
                "医疗机构全称",
                "医疗机构级别（一、二、三级及其他）",
                "登记执业地点所市县（市、区）",
                "检查发现问题",
                "要求整改到位时间",
                "是否已整改到位",
            ],
        }
    }
    /// The line above the table.
    #[must_use]
    pub const fn preamble(self) -> &'static str {
        "省辖市（含济源示范区、航空港区）：_____    填报人：_____    手机：_____"
    }
    /// The note below the table, as printed.
    #[must_use]
    pub const fn note(self) -> &'static str {
        match self {
            Form::SelfCheck => {
                "注：本表需要包含辖区内所有各级各类医疗机构，未发现问题请在“自查发现问题”栏中填写“无”，请各省辖市、济源示范区、航空港区于 6 月 25 日前将本表报送至 yzcslm@163.com。"
            }
            Form::Inspection => {
                "注：本表需要包含辖区内所有各级各类医疗机构，未发现问题请在“自查发现问题”栏中填写“无”，请各省辖市、济源示范区、航空港区于 9 月 25 日前将本表报送至 yzcslm@163.com。"
            }
        }
    }
}

/// One row of the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormRow {
    /// 医疗机构全称.
    pub institution: String,
    /// 一级 / 二级 / 三级 / 其他 (blank when unknown).
    pub level: String,
    /// City and county as registered.
    pub location: String,
    /// The problem (or "无").
    pub problem: String,
    /// Planned / required date (blank: to be filled).
    pub date: String,
    /// 是 / 否 (blank when there is no problem).
    pub remediated: String,
    /// The rule behind the problem (not a column of the printed form).
    pub rule: String,
}

fn level_zh(level: Option<u8>) -> &'static str {
    match level {
        Some(1) => "一级",
        Some(2) => "二级",
        Some(3) => "三级",
        Some(_) => "其他",
        None => "",
    }
}

/// The rows for each evaluated hospital, in order.
#[must_use]
pub fn rows(
    evals: &[(&Evaluation<'_>, &crate::profile::HospitalProfile)],
    _form: Form,
) -> Vec<FormRow> {
    let mut out = Vec::new();
    for (e, p) in evals {
        let location = [p.city.as_deref(), p.county.as_deref()]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join("");
        let base = FormRow {
            institution: p.name.clone(),
            level: level_zh(p.level).to_owned(),
            location,
            problem: String::new(),
            date: String::new(),
            remediated: String::new(),
            rule: String::new(),
        };
        let mut any = false;
        for f in e.findings.iter().filter(|f| f.status == Status::Gap) {
            any = true;
            let clause = f
                .citations
                .first()
                .map(|c| format!("（{} {}）", c.document, c.clause))
                .unwrap_or_default();
            let subject = f
                .subject
                .as_ref()
                .map(|s| format!("[{s}] "))
                .unwrap_or_default();
            out.push(FormRow {
                problem: format!(
                    "{subject}{}：要求 {}；现状 {}{}{clause}",
                    f.title,
                    f.requirement,
                    f.actual,
                    f.gap
                        .as_ref()
                        .map(|g| format!("；差距 {g}"))
                        .unwrap_or_default()
                ),
                remediated: "否".into(),
                rule: f.rule.to_owned(),
                ..base.clone()
            });
        }
        if !any {
            out.push(FormRow {
                problem: "无".into(),
                ..base
            });
        }
    }
    out
}
