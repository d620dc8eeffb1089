"""qa inside other frameworks: `qa.integrations.langchain.QARetriever` for LangChain.

Each integration is its own module, imported only by those who use it, so `import qa`
never loads a framework.
"""
