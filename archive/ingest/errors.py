"""The one exception that every notice parser raises."""


#: Field names as an admin reads them in a message (出生年月, not birth).
_FIELD_NAMES = {"name": "姓名", "kind": "类别", "gender": "性别", "birth": "出生年月",
                "education": "学历", "position": "职务", "unit": "单位", "company": "推荐单位",
                "region": "地区", "team_category": "班组类别", "team_size": "班组人数",
                "citation": "申报说明材料", "ethnicity": "民族", "title": "标题",
                "publisher": "发文机关", "published": "发布日期", "cycle": "评选年度",
                "stage": "阶段", "doc_number": "文号", "source_url": "来源链接"}


class ParseError(ValueError):
    """A notice cannot be read; says which file, where and what is wrong."""

    def __init__(self, message, *, filename=None, line=None, field=None):
        self.message = message
        self.filename = filename
        self.line = line
        self.field = field
        self.missing = []  # notice metadata keys the file lacks (see metadata.complete)
        # What the file holds (guide.layout_of), when its list was not found or not
        # read: the admin points at it instead (a reading guide).
        self.layout = None
        super().__init__(str(self))

    def __reduce__(self):
        # Pickled across the parsing sandbox with everything the preview reads of it.
        return _rebuild, (type(self), self.message, self.filename, self.line, self.field,
                          self.missing, self.layout)

    def with_filename(self, filename):
        """Return the same error, naming the file it came from."""
        error = ParseError(self.message, filename=filename, line=self.line, field=self.field)
        error.missing, error.layout = self.missing, self.layout
        return error

    def __str__(self):
        if self.filename is None and self.line is None and self.field is None:
            return self.message
        where = [self.filename or "<输入>"]
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.field:
            where.append(f"字段 {_FIELD_NAMES.get(self.field, self.field)}")
        return f"{'：'.join(where)}：{self.message}"


def _rebuild(cls, message, filename, line, field, missing, layout=None):
    error = cls(message, filename=filename, line=line, field=field)
    error.missing, error.layout = missing, layout
    return error
