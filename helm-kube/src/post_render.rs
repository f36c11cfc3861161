//! Post-renderers that are programs: the rendered stream goes to a child process's standard
//! input, what it prints is the stream to install (kustomize, `sed`, a company's policy tool).
//!
//! helm-core owns what surrounds the program (the merge of rendered files into one annotated
//! stream and the split back, `helm_core::render::post_render`); this module only runs
//! processes. [`CommandPostRenderer`] is the post-renderer Rust programs and the bindings use
//! (Helm 3's `--post-renderer PATH` did the same); the command line's `postrenderer/v1`
//! plugins run through [`pipe_through`] with Helm's plugin environment and messages.

use helm_core::render::PostRenderer;
use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};

/// What a child process gave back.
#[derive(Debug)]
pub struct PipeOutput {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs `cmd` with `input` on its standard input and collects both outputs. The input is
/// written on a thread of its own while the outputs are read, so a child that writes before it
/// has read everything cannot block either side; a child that exits without reading all of it
/// is not an error here (its exit status tells how it went).
pub fn pipe_through(cmd: &mut Command, input: &[u8]) -> std::io::Result<PipeOutput> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take();
    let err_pipe = child.stderr.take();
    let mut out_pipe = child.stdout.take();
    let (stdout, stderr) = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut w) = stdin {
                let _ = w.write_all(input);
            }
        });
        let errors = s.spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut e) = err_pipe {
                let _ = e.read_to_end(&mut buf);
            }
            buf
        });
        let mut out = Vec::new();
        if let Some(o) = out_pipe.as_mut() {
            let _ = o.read_to_end(&mut out);
        }
        (out, errors.join().unwrap_or_default())
    });
    let status = child.wait()?;
    Ok(PipeOutput {
        status,
        stdout,
        stderr,
    })
}

/// A program as a post-renderer: `program args…`, in the caller's environment.
#[derive(Clone, Debug)]
pub struct CommandPostRenderer {
    pub program: String,
    pub args: Vec<String>,
}

impl CommandPostRenderer {
    pub fn new(program: impl Into<String>, args: Vec<String>) -> Self {
        CommandPostRenderer {
            program: program.into(),
            args,
        }
    }
}

impl PostRenderer for CommandPostRenderer {
    fn run(&self, manifests: &str) -> Result<String, String> {
        let prog = &self.program;
        let out = pipe_through(Command::new(prog).args(&self.args), manifests.as_bytes())
            .map_err(|e| format!("post-renderer {prog:?} could not be started: {e}"))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr = stderr.trim();
            return Err(if stderr.is_empty() {
                format!("post-renderer {prog:?} failed ({})", out.status)
            } else {
                format!("post-renderer {prog:?} failed ({}): {stderr}", out.status)
            });
        }
        let text = String::from_utf8(out.stdout)
            .map_err(|_| format!("post-renderer {prog:?} printed text that is not UTF-8"))?;
        // Almost nothing back means the program rendered nothing (Helm's check for plugins).
        if text.trim().is_empty() {
            return Err(format!("post-renderer {prog:?} produced empty output"));
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_rewrites_the_stream() {
        let pr = CommandPostRenderer::new("sed", vec!["s/a: 1/a: 2/".into()]);
        assert_eq!(pr.run("a: 1\n").unwrap(), "a: 2\n");
    }

    #[test]
    fn a_large_stream_does_not_block_a_program_that_answers_as_it_reads() {
        let input = "k: v\n".repeat(400_000);
        let pr = CommandPostRenderer::new("cat", vec![]);
        assert_eq!(pr.run(&input).unwrap().len(), input.len());
    }

    #[test]
    fn failures_say_which_program_and_why() {
        let pr = CommandPostRenderer::new("sh", vec!["-c".into(), "echo nope >&2; exit 4".into()]);
        assert_eq!(
            pr.run("a: 1\n").unwrap_err(),
            "post-renderer \"sh\" failed (exit status: 4): nope"
        );
        let pr = CommandPostRenderer::new("true", vec![]);
        assert_eq!(
            pr.run("a: 1\n").unwrap_err(),
            "post-renderer \"true\" produced empty output"
        );
        let pr = CommandPostRenderer::new("/nonexistent/x", vec![]);
        assert!(pr
            .run("a: 1\n")
            .unwrap_err()
            .starts_with("post-renderer \"/nonexistent/x\" could not be started: "));
    }
}
