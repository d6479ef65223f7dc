
:
xPlaceholder*
dtype0*
shape:
Q
DepthToSpaceDepthToSpacex*
data_formatNHWC*

block_size*
T0
+
IdentityIdentityDepthToSpace*
T0"ª