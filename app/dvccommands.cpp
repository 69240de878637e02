#include "dvccommands.h"

#include "commandline.h"
#include "dvcremote.h"

namespace Cli {

using namespace Audit;

namespace {

void addProject(CommandLine &cli)
{
    cli.add(QStringLiteral("project"), QStringLiteral("Project folder (holds dvc.yaml and .dvc/)."), QStringLiteral("dir"),
            QStringLiteral("."));
}

} // namespace

int pull(const QStringList &args)
{
    CommandLine cli(QStringLiteral("pull"),
                    QStringLiteral("`dvc pull` from a local remote: every file a *.dvc file or dvc.lock records that is "
                                   "missing or differs is copied from .dvc/cache or the remote (md5 and size checked) "
                                   "into the cache and the workspace. Exit 1 when a file nothing can regenerate is "
                                   "not in the remote."));
    addProject(cli);
    cli.add(QStringLiteral("remote"), QStringLiteral("The remote to pull from (default: core.remote in .dvc/config)."),
            QStringLiteral("name"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    const PullReport report = DvcRemote(cli.value(QStringLiteral("project")), cli.value(QStringLiteral("remote"))).pull();
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText());
    if (report.complete())
        return 0;
    printErr(QStringLiteral("pull: some files are in neither the cache nor remote \"%1\" (%2); see above")
                 .arg(report.remote, report.remoteDir));
    return 1;
}

} // namespace Cli
