// SPDX-License-Identifier: Apache-2.0
// docker/podman run command lines in shell scripts, Makefiles and Dockerfile RUN instructions:
// the CIS example, both seccomp spellings, quoting, continuations, option values, look-alikes.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lint_test_helpers.hpp"
#include "syscope/lint/lint.hpp"

using namespace syscope::lint;
using syscope::lint::test::brief;
using syscope::lint::test::fixture;

namespace {

// "line:column option" of the hits in an inline text.
std::vector<std::string> hits(std::string_view text) {
  std::vector<std::string> out;
  for (const auto &h : scan_shell_commands(text))
    out.push_back(std::to_string(h.line + 1) + ":" + std::to_string(h.column + 1) + " " + h.option);
  return out;
}

}  // namespace

TEST_CASE("the CIS vulnerable docker run command", "[lint][shell]") {
  FileReport r = check_shell("shell/docker-run.cis-vulnerable.sh",
                             fixture("shell/docker-run.cis-vulnerable.sh"));
  REQUIRE(brief(r) == std::vector<std::string>{"2:12 error seccomp-unconfined"});
  CHECK(r.findings[0].message == "this command line disables the default seccomp profile "
                                 "(`--security-opt seccomp=unconfined`)");
  CHECK(r.findings[0].fix ==
        "remove `--security-opt seccomp=unconfined`; if the app needs a blocked syscall, record "
        "a profile: syscope record --container NAME -o profile.json, then --security-opt "
        "seccomp=profile.json");
}

TEST_CASE("the CIS secure docker run command", "[lint][shell]") {
  CHECK(check_shell("s.sh", fixture("shell/docker-run.cis-secure.sh")).findings.empty());
}

TEST_CASE("shell spellings, continuations, prefixes and look-alikes", "[lint][shell]") {
  FileReport r = check_shell("shell/variants.sh", fixture("shell/variants.sh"));
  CHECK(brief(r) == std::vector<std::string>{
                        "2:12 error seccomp-unconfined",   // --security-opt=seccomp=unconfined
                        "3:12 error seccomp-unconfined",   // 'seccomp=unconfined'
                        "4:12 error seccomp-unconfined",   // --security-opt="seccomp:unconfined"
                        "5:26 error privileged",           // docker container run -it
                        "6:15 error privileged",           // docker create --privileged=true
                        "11:3 error seccomp-unconfined",   // podman, after \-continued options
                        "13:39 error privileged",          // docker -H ... run
                        "16:35 error seccomp-unconfined",  // if ...; then /usr/bin/docker
                        "17:18 error privileged",          // $(docker run ...)
                        "19:45 error seccomp-unconfined",  // the second --security-opt
                        "21:28 error privileged",          // after &&
                        "22:12 error seccomp-unconfined",  // value on the continued line
                    });
}

TEST_CASE("options end at the image; values of options are skipped", "[lint][shell]") {
  CHECK(hits("docker run alpine --privileged").empty());
  CHECK(hits("docker run -v /x:/y alpine --privileged").empty());
  CHECK(hits("docker run -e --privileged alpine").empty());  // the value of -e
  CHECK(hits("docker run -eX=1 --privileged alpine") ==
        std::vector<std::string>{"1:18 --privileged"});
  CHECK(hits("docker run -dit --privileged alpine") ==
        std::vector<std::string>{"1:17 --privileged"});
  CHECK(hits("docker run --rm --name x --privileged alpine") ==
        std::vector<std::string>{"1:26 --privileged"});
  CHECK(hits("docker run --privileged=0 alpine").empty());
  CHECK(hits("docker run --privileged=FALSE alpine").empty());
  CHECK(hits("docker run --privileged=True alpine") ==
        std::vector<std::string>{"1:12 --privileged=True"});
  CHECK(hits("docker run --security-opt \"SECCOMP=Unconfined\" alpine") ==
        std::vector<std::string>{"1:12 --security-opt SECCOMP=Unconfined"});
  CHECK(hits("docker run \"--security-opt=seccomp=unconfined\" alpine") ==
        std::vector<std::string>{"1:13 --security-opt=seccomp=unconfined"});
  CHECK(hits("docker run --security-opt seccomp=./unconfined.json alpine").empty());
  CHECK(hits("docker run --security-opt apparmor=unconfined alpine").empty());
}

TEST_CASE("only docker/podman run and create in command position", "[lint][shell]") {
  CHECK(hits("docker exec --privileged c sh").empty());
  CHECK(hits("docker build --security-opt seccomp=unconfined .").empty());
  CHECK(hits("echo docker run --privileged x").empty());
  CHECK(hits("grep 'docker run --privileged' f").empty());
  CHECK(hits("x=\"docker run --privileged\"").empty());
  CHECK(hits("# docker run --privileged x").empty());
  CHECK(hits("docker run x # --privileged").empty());
  CHECK(hits("nerdctl run --privileged x").empty());
  CHECK(hits("FOO=1 sudo -E docker run --privileged x") ==
        std::vector<std::string>{"1:26 --privileged"});
  CHECK(hits("podman container create --privileged x") ==
        std::vector<std::string>{"1:25 --privileged"});
  CHECK(hits("a; docker run --privileged x | b") == std::vector<std::string>{"1:15 --privileged"});
  CHECK(hits("(docker run --privileged x)") == std::vector<std::string>{"1:13 --privileged"});
}

TEST_CASE("Makefile recipes: @ prefixes, $(DOCKER), continuations", "[lint][shell]") {
  FileReport r = check_shell("make/Makefile", fixture("make/Makefile"));
  CHECK(r.kind == FileKind::makefile);
  CHECK(brief(r) ==
        std::vector<std::string>{"5:21 error privileged", "9:4 error seccomp-unconfined"});
}

TEST_CASE("Dockerfile: RUN lines only, with flags, comments in continuations, heredocs",
          "[lint][dockerfile]") {
  FileReport r = check_dockerfile("dockerfile/Dockerfile", fixture("dockerfile/Dockerfile"));
  CHECK(brief(r) == std::vector<std::string>{
                        "4:57 error privileged",         // run --mount=... docker run
                        "9:7 error seccomp-unconfined",  // across a comment and an empty line
                        "12:12 error privileged",        // RUN <<EOF
                    });
  CHECK(r.findings[0].message.starts_with("this RUN instruction runs a privileged container"));
}

TEST_CASE("options from plain variable assignments, reported where they are used",
          "[lint][shell]") {
  const std::string path = "shell/variables.sh";
  FileReport r = check_shell(path, fixture(path));
  REQUIRE(brief(r) ==
          std::vector<std::string>{"6:12 error seccomp-unconfined", "7:18 error privileged"});
  CHECK(r.findings[0].message == "this command line disables the default seccomp profile "
                                 "(`--security-opt seccomp=unconfined` from $OPTS, set on line 3)");
  CHECK(r.findings[1].message.starts_with("this command line runs a privileged container "
                                          "(`--privileged` from $PRIV, set on line 4)"));
  CHECK(hits("O='--privileged'; docker run ${O} x") ==
        std::vector<std::string>{"1:30 --privileged"});
  CHECK(hits("O=--security-opt\ndocker run $O seccomp=unconfined x") ==
        std::vector<std::string>{"2:12 --security-opt seccomp=unconfined"});
  CHECK(hits("O=--privileged; docker run x $O") == std::vector<std::string>{});  // after the image
  CHECK(hits("docker run $O x; O=--privileged") == std::vector<std::string>{});  // set after use
}

TEST_CASE("variables in Dockerfile RUN and CI run: blocks", "[lint][shell]") {
  FileReport d = check_dockerfile("Dockerfile",
                                  "FROM x\nRUN OPTS=--privileged && \\\n    docker run $OPTS y\n");
  // `OPTS=... &&` is an assignment statement of its own.
  REQUIRE(brief(d) == std::vector<std::string>{"3:16 error privileged"});
  CHECK(d.findings[0].message.find("from $OPTS, set on line 2") != std::string::npos);

  FileReport ci = check_ci_yaml(".github/workflows/ci.yml",
                                "on: push\njobs:\n  a:\n    steps:\n      - run: |\n          "
                                "SEC=\"--security-opt seccomp=unconfined\"\n          docker run "
                                "\"$SEC\" alpine\n");
  REQUIRE(brief(ci) == std::vector<std::string>{"7:23 error seccomp-unconfined"});
  CHECK(ci.findings[0].message.find("from $SEC, set on line 6") != std::string::npos);
}
