//! Kubernetes manifests: the objects of a multi-document YAML file that have `apiVersion` and
//! `kind`, with what the rules need of workloads (containers, init containers, one-off kinds),
//! Services and Ingresses. Read from the saphyr tree the file was parsed into once.
//!
//! Helm templates (`{{ ... }}` under a chart's `templates/`) are not YAML; the engine skips them
//! before parsing.

use std::ops::Range;

use super::compose::{command_of, ComposeCommand, EnvVar, Text};
use super::structured::{Node, StructuredFile};

/// A container of a pod template.
#[derive(Clone, Debug)]
pub struct Container {
    /// `name:`.
    pub name: String,
    /// `image:`.
    pub image: Option<Text>,
    /// `command:` (the entrypoint) and `args:` joined as one command line.
    pub command: Option<ComposeCommand>,
    /// `env:` entries with a literal `value:` (or none: `valueFrom`).
    pub env: Vec<EnvVar>,
    /// `ports[].containerPort`.
    pub ports: Vec<Text>,
    /// Whether it is one of `initContainers`.
    pub init: bool,
}

/// One Kubernetes object.
#[derive(Clone, Debug)]
pub struct Object {
    /// `kind:`.
    pub kind: String,
    /// Byte range of the kind's value, where object-level findings are anchored.
    pub kind_span: Range<usize>,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.annotations`.
    pub annotations: Vec<(String, Text)>,
    /// Containers of the pod template (workloads and Pods), init containers included.
    pub containers: Vec<Container>,
    /// `spec.sessionAffinity` (Service).
    pub session_affinity: Option<Text>,
    /// `spec.ports[].targetPort` (Service).
    pub target_ports: Vec<Text>,
}

impl Object {
    /// Whether the object runs pods that serve (not a one-off Job or CronJob).
    pub fn is_long_running(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "Pod"
                | "ReplicationController"
        )
    }

    /// Whether the object is a one-off process (Job, CronJob).
    pub fn is_one_off(&self) -> bool {
        matches!(self.kind.as_str(), "Job" | "CronJob")
    }
}

/// The Kubernetes objects of a file.
#[derive(Clone, Debug)]
pub struct K8sFile {
    /// Path relative to the checked root.
    pub path: String,
    /// Objects in document order.
    pub objects: Vec<Object>,
}

impl K8sFile {
    /// Reads the objects of a parsed YAML/JSON file, or `None` when no document is one.
    pub fn from_structured(file: &StructuredFile<'_>) -> Option<K8sFile> {
        let mut objects = Vec::new();
        for doc in file.docs() {
            collect(&doc, &file.source.text, &mut objects, 0);
        }
        (!objects.is_empty()).then(|| K8sFile {
            path: file.source.path.clone(),
            objects,
        })
    }
}

fn collect(doc: &Node, source: &str, out: &mut Vec<Object>, depth: usize) {
    let (Some(_), Some(Node::Scalar(kind, kind_span))) = (doc.get("apiVersion"), doc.get("kind"))
    else {
        return;
    };
    // `kind: List` wraps objects in `items`.
    if kind == "List" || kind.ends_with("List") {
        if let (Some(Node::Seq(items)), true) = (doc.get("items"), depth < 4) {
            for i in items {
                collect(&i, source, out, depth + 1);
            }
        }
        return;
    }
    let meta = doc.get("metadata");
    let mut obj = Object {
        kind: kind.to_string(),
        kind_span,
        name: meta
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string),
        annotations: pairs(meta.as_ref().and_then(|m| m.get("annotations"))),
        containers: Vec::new(),
        session_affinity: None,
        target_ports: Vec::new(),
    };
    let spec = doc.get("spec");
    if kind == "Service" {
        obj.session_affinity = spec
            .as_ref()
            .and_then(|s| s.get("sessionAffinity"))
            .and_then(text);
        if let Some(Node::Seq(ports)) = spec.as_ref().and_then(|s| s.get("ports")) {
            obj.target_ports = ports
                .iter()
                .filter_map(|p| p.get("targetPort").and_then(text))
                .collect();
        }
    }
    // The pod spec: Pod → spec; workloads → spec.template.spec; CronJob →
    // spec.jobTemplate.spec.template.spec.
    let pod = match kind {
        "Pod" => spec,
        "CronJob" => spec
            .and_then(|s| s.get("jobTemplate"))
            .and_then(|j| j.get("spec"))
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec")),
        _ => spec
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec")),
    };
    if let Some(pod) = pod {
        for (key, init) in [("initContainers", true), ("containers", false)] {
            if let Some(Node::Seq(cs)) = pod.get(key) {
                obj.containers
                    .extend(cs.iter().map(|c| container(&c, init, source)));
            }
        }
    }
    out.push(obj);
}

fn text(n: Node<'_>) -> Option<Text> {
    match n {
        Node::Scalar(s, span) => Some(Text {
            value: s.to_string(),
            span,
        }),
        _ => None,
    }
}

fn pairs(n: Option<Node<'_>>) -> Vec<(String, Text)> {
    match n {
        Some(Node::Map(kv)) => kv
            .iter()
            .filter_map(|(k, v)| text(v).map(|t| (k.name.to_string(), t)))
            .collect(),
        _ => Vec::new(),
    }
}

fn container(c: &Node, init: bool, source: &str) -> Container {
    let command = c.get("command").and_then(|n| command_of(&n, source));
    let args = c.get("args").and_then(|n| command_of(&n, source));
    let command = match (command, args) {
        (Some(mut cmd), Some(args)) => {
            // `command` + `args` form one argv: append the argument words to the last command.
            let extra: Vec<_> = args.commands.into_iter().flat_map(|c| c.words).collect();
            cmd.span = cmd.span.start..args.span.end.max(cmd.span.end);
            if cmd.commands.len() == 1 && cmd.commands[0].depth == 0 {
                let mut words = std::mem::take(&mut cmd.commands[0].words);
                words.extend(extra);
                cmd.commands = super::shell::from_words(words);
            }
            Some(cmd)
        }
        (c, a) => c.or(a),
    };
    let mut env = Vec::new();
    if let Some(Node::Seq(items)) = c.get("env") {
        for i in items {
            let Some(name) = i.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            let value = i.get("value");
            env.push(EnvVar {
                key: name.to_string(),
                value: value.as_ref().and_then(|n| n.as_str()).map(str::to_string),
                span: value
                    .as_ref()
                    .and_then(|n| n.span())
                    .or_else(|| i.get("name").and_then(|n| n.span()))
                    .unwrap_or(0..0),
            });
        }
    }
    let ports = match c.get("ports") {
        Some(Node::Seq(ps)) => ps
            .iter()
            .filter_map(|p| p.get("containerPort").and_then(text))
            .collect(),
        _ => Vec::new(),
    };
    Container {
        name: c
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string(),
        image: c.get("image").and_then(text),
        command,
        env,
        ports,
        init,
    }
}

/// Whether a YAML file is a Helm template rather than a manifest: `{{` template actions in a
/// file under a `templates/` folder.
pub fn is_helm_template(path: &str, text: &str) -> bool {
    (path.starts_with("templates/") || path.contains("/templates/")) && text.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    #[test]
    fn workloads_services() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/affinity: cookie\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: app:1.2\n          command: [\"./app\", \"migrate\"]\n      containers:\n        - name: api\n          image: app:latest\n          command: [\"sh\", \"-c\"]\n          args: [\"./app serve\"]\n          env:\n            - name: DB_PASSWORD\n              value: hunter2\n            - name: X\n              valueFrom: {secretKeyRef: {name: s, key: k}}\n          ports:\n            - containerPort: 8080\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  sessionAffinity: ClientIP\n  ports: [{port: 80, targetPort: 8080}]\n";
        let src = SourceFile::new("k8s/api.yaml", FileKind::Yaml, text.into());
        let file = StructuredFile::parse(&src).expect("valid");
        let k = K8sFile::from_structured(&file).expect("k8s");
        assert_eq!(k.objects.len(), 2);
        let d = &k.objects[0];
        assert!(d.is_long_running());
        assert_eq!(d.containers.len(), 2);
        assert!(d.containers[0].init);
        let api = &d.containers[1];
        assert_eq!(api.image.as_ref().expect("image").value, "app:latest");
        let cmd = api.command.as_ref().expect("command");
        assert!(cmd.commands.iter().any(|c| c.has_word("serve")));
        assert_eq!(api.env[0].value.as_deref(), Some("hunter2"));
        assert_eq!(api.env[1].value, None);
        assert_eq!(api.ports[0].value, "8080");
        assert_eq!(d.annotations[0].1.value, "cookie");
        let s = &k.objects[1];
        assert_eq!(
            s.session_affinity.as_ref().expect("affinity").value,
            "ClientIP"
        );
        assert!(is_helm_template(
            "chart/templates/deploy.yaml",
            "image: {{ .Values.image }}"
        ));
    }

    #[test]
    fn args_before_command_keep_an_ordered_span() {
        // Found by fuzzing: the joined command's span ran from `command:` back to `args:`.
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          args: [\"--port\", \"8000\"]\n          command: [\"./app\"]\n";
        let src = SourceFile::new("k8s/web.yaml", FileKind::Yaml, text.into());
        let file = StructuredFile::parse(&src).expect("valid");
        let k = K8sFile::from_structured(&file).expect("k8s");
        let cmd = k.objects[0].containers[0]
            .command
            .as_ref()
            .expect("command");
        for c in &cmd.commands {
            assert!(c.span.start <= c.span.end, "{:?}", c.span);
            assert!(text.get(c.span.clone()).is_some());
        }
        assert_eq!(cmd.commands[0].words.len(), 3);
    }
}
