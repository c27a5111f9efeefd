//! What the domain knows of an application by itself: its id.

super::id::id_type!(
    /// Database id of an application.
    ApplicationId
);
