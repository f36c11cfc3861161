//! Every template of the 138 real charts in the conformance corpus (and their vendored
//! subcharts) must parse: a parse failure there means a chart Helm renders that we cannot.
//! Skips when the corpus (`../shared/conformance`) is absent.

mod common;
use helm_core::template::{funcs::FuncTable, Engine};
use std::path::Path;

/// A template file of a chart (or of a subchart vendored in it).
fn is_template(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "templates")
        && matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "tpl" | "txt")
        )
}

#[test]
fn every_corpus_template_parses() {
    let root = common::conformance_dir().join("charts");
    if !root.is_dir() {
        eprintln!(
            "skipping: conformance corpus not found at {}",
            root.display()
        );
        return;
    }
    let files = common::files_below(&root, &is_template);
    assert!(
        files.len() > 1000,
        "expected the corpus to hold many templates, found {}",
        files.len()
    );
    // Helm's function set; families not yet in this build are added as permissive stubs so
    // that only syntax is checked here.
    let mut funcs = FuncTable::helm();
    for name in SPRIG_AND_HELM_NAMES.split_whitespace() {
        if !funcs.contains(name) {
            funcs.add(
                name,
                &[],
                Some(helm_core::template::funcs::Param::Any),
                |_| Ok(helm_core::Value::Nil),
            );
        }
    }
    let mut failures = Vec::new();
    let mut engine = Engine::new(funcs);
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .to_string();
        if let Err(e) = engine.parse(&name, &src) {
            failures.push(e.to_string());
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} templates failed to parse",
        failures.len(),
        files.len()
    );
}

/// Every function name Sprig v3 and Helm define (for the syntax check only).
const SPRIG_AND_HELM_NAMES: &str = "
hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone
must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title
untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii
randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote
squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64
seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf
divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact
mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary
deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual env expandenv getHostByName base dir clean
ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey
pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush
prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq
mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey
derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch
regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin toToml fromToml toYaml
toYamlPretty fromYaml fromYamlArray fromJsonArray mustToYaml mustFromYaml include tpl required lookup
";
