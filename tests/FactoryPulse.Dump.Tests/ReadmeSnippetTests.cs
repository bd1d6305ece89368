using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// Every C# block of the README compiles as written, the way a new console app (top-level statements, implicit usings)
/// or class library would compile it, against the packages the README names.
/// </summary>
public sealed class ReadmeSnippetTests
{
    // What `dotnet new console` turns on (ImplicitUsings): a snippet may rely on these and on nothing else unsaid.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static TheoryData<int, int> Snippets()
    {
        var data = new TheoryData<int, int>();
        var blocks = CSharpBlocks();
        for (var i = 0; i < blocks.Count; i++)
            data.Add(i + 1, blocks[i].Line);
        return data;
    }

    [Fact]
    public void The_readme_has_csharp_blocks_to_check() => CSharpBlocks().Should().HaveCountGreaterThanOrEqualTo(3);

    [Theory]
    [MemberData(nameof(Snippets))]
    public void A_csharp_block_of_the_readme_compiles_as_written(int block, int line)
    {
        var code = CSharpBlocks()[block - 1].Code;
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview), path: $"README.md:{line}");
        var hasStatements = tree.GetCompilationUnitRoot().Members.Any(member => member is GlobalStatementSyntax);
        var compilation = CSharpCompilation.Create(
            $"readme_block_{block}",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Preview))],
            References(),
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        errors.Should().BeEmpty($"the C# block at README.md line {line} compiles as written:\n{code}");
    }

    private static List<(int Line, string Code)> CSharpBlocks()
    {
        var lines = File.ReadAllLines(ReadmePath());
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
                continue;
            var code = new StringBuilder();
            var start = i + 1;
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                code.AppendLine(lines[i]);
            blocks.Add((start, code.ToString()));
        }
        return blocks;
    }

    private static string ReadmePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "FactoryPulse.Dump.sln")))
                return candidate;
        }
        throw new FileNotFoundException("README.md beside FactoryPulse.Dump.sln not found above the test assembly.");
    }

    private static List<MetadataReference> References()
    {
        // The framework, plus the packages the README tells the reader to add (the library, the Testing package, Npgsql, xunit).
        var paths = new HashSet<string>(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator), StringComparer.Ordinal);
        foreach (var assembly in new[]
        {
            typeof(DatabaseDumper).Assembly, typeof(Testing.PostgresServer).Assembly, typeof(Npgsql.NpgsqlConnection).Assembly,
            typeof(FactAttribute).Assembly, typeof(Assert).Assembly, typeof(Xunit.Abstractions.ITestOutputHelper).Assembly,
            typeof(Microsoft.Extensions.Logging.ILogger).Assembly,
        })
            paths.Add(assembly.Location);
        return paths.Where(File.Exists).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
    }
}
