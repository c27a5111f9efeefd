//! The review workflow: screening, assignment (manual and automatic),
//! conflicts, the reviewer's area with blind review, scoring, reminders,
//! the ranking's figures against the pure aggregation, and who may reach
//! what.

mod access;
mod assignment;
mod blind;
mod pipeline;
mod ranking;
mod scoring;
mod screening;
mod settings;

use fellowship_portal::db::documents;
use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::user::UserId;

use crate::helpers::TestApp;

/// A PDF whose document information names `author` (classic xref).
pub(crate) fn pdf_by(author: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_owned(),
        {
            let text = "BT /F1 12 Tf 72 720 Td (Community health work) Tj ET";
            format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len())
        },
        format!("<< /Author ({author}) /Title (CV of {author}) >>"),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Stores `bytes` as a CV of `owner` and attaches it to `application`
/// (as the applicant's upload would be); returns the document id.
pub(crate) async fn attach_cv(
    app: &TestApp,
    application: i64,
    owner: UserId,
    bytes: Vec<u8>,
    name: &str,
) -> i64 {
    let stored = app
        .storage()
        .put(std::io::Cursor::new(bytes))
        .await
        .unwrap();
    let mut tx = app.pool().begin().await.unwrap();
    let now = app.clock.now();
    let id = documents::insert(
        tx.exec(),
        &documents::NewDocument {
            owner: Some(owner),
            kind: "upload",
            storage_key: &stored.key,
            original_name: name,
            content_type: "application/pdf",
            size_bytes: stored.size as i64,
            sha256: &stored.sha256,
        },
        now,
    )
    .await
    .unwrap();
    documents::attach(tx.exec(), ApplicationId(application), "cv", id, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.0
}
